//! Phase 3: the providers of quality infrastructure and R&D.
//!
//! About one provider per twenty firms (`shape::PROVIDERS_PER_MILLE_FIRMS`), never fewer than
//! `shape::MIN_PROVIDERS`; the first six cover every kind and the first three every level, so
//! even a tiny dataset has them all. Levels are mostly municipal, some provincial, few national.
//! Most providers sit beside a firm of the chain whose theme they serve (supply follows demand),
//! the rest anywhere. Capabilities follow the kind (a metrology centre offers metrology), never
//! the last subject of a theme's list (see `vocab`), and are mostly capacity-limited.

use super::names::NameRegistry;
use super::rng::Rng;
use super::vocab::{element_index, Atlas, City, Province, Theme, GENERIC_SUBJECTS, THEMES};
use super::{shape, stream, Layout};
use crate::model::{Capability, Element, Level, OrgKind, Organization};

const KINDS: [OrgKind; 6] = [
    OrgKind::Institute,
    OrgKind::InspectionCenter,
    OrgKind::MetrologyCenter,
    OrgKind::StandardsBody,
    OrgKind::CertificationBody,
    OrgKind::ServiceStation,
];
const KIND_WEIGHTS: [u32; 6] = [20, 30, 15, 8, 12, 15];
/// National, provincial, municipal.
const LEVEL_WEIGHTS: [u32; 3] = [5, 25, 70];
/// Weights of 1, 2, 3 or 4 capabilities.
const CAPABILITY_WEIGHTS: [u32; 4] = [35, 30, 20, 15];

/// Appends the providers to `orgs`, which holds every firm.
pub(super) fn generate(seed: u64, layouts: &[Layout], orgs: &mut Vec<Organization>) {
    let mut rng = Rng::new(seed, stream::PROVIDERS);
    let atlas = Atlas::new();
    let firms = orgs.len();
    let count = (firms * shape::PROVIDERS_PER_MILLE_FIRMS / 1000).max(shape::MIN_PROVIDERS);
    let mut names = NameRegistry::with_capacity(count);
    for i in 0..count {
        // The first providers take every kind and level in turn, so that tiny datasets have all.
        let kind = match KINDS.get(i) {
            Some(&kind) => kind,
            None => KINDS[rng.weighted(&KIND_WEIGHTS)],
        };
        let level = match Level::ALL.get(i) {
            Some(&level) => level,
            None => Level::ALL[rng.weighted(&LEVEL_WEIGHTS)],
        };
        let (theme, beside) = if layouts.is_empty() {
            (&THEMES[rng.below(THEMES.len())], None)
        } else {
            let layout = &layouts[rng.below(layouts.len())];
            let slot = rng.below(layout.members.len());
            let firm = &orgs[layout.members[slot] as usize];
            (layout.theme, firm.region.clone())
        };
        let region = match beside {
            Some(region) if rng.chance(600) => region,
            _ => {
                let city = atlas.random_city(&mut rng);
                atlas.county(&mut rng, city)
            }
        };
        let (city, province) = atlas.place_of(&region);
        let name = names.unique(provider_name(kind, level, theme, city, province));
        let capabilities = capabilities(&mut rng, kind, level, theme);
        orgs.push(Organization {
            id: format!("q{:06}", i + 1),
            name,
            kind,
            region: Some(region),
            foreign: false,
            country: None,
            chains: None,
            level: Some(level),
            capabilities: Some(capabilities),
        });
    }
}

/// The elements a provider of `kind` mostly offers.
fn elements_of(kind: OrgKind) -> &'static [Element] {
    match kind {
        OrgKind::Institute => &[Element::Rd, Element::Rd, Element::Testing],
        OrgKind::InspectionCenter => &[Element::Testing, Element::Testing, Element::Certification],
        OrgKind::MetrologyCenter => &[Element::Metrology],
        OrgKind::StandardsBody => &[Element::Standard],
        OrgKind::CertificationBody => &[Element::Certification, Element::Testing],
        OrgKind::ServiceStation | OrgKind::Enterprise => &Element::ALL,
    }
}

fn capabilities(rng: &mut Rng, kind: OrgKind, level: Level, theme: &Theme) -> Vec<Capability> {
    let wanted = 1 + rng.weighted(&CAPABILITY_WEIGHTS);
    let mut codes: Vec<String> = Vec::with_capacity(wanted);
    for _ in 0..wanted * 4 {
        if codes.len() == wanted {
            break;
        }
        let element = if rng.chance(200) {
            Element::ALL[rng.below(Element::ALL.len())]
        } else {
            *rng.pick(elements_of(kind))
        };
        let e = element_index(element);
        let subject = if rng.chance(150) {
            rng.pick(GENERIC_SUBJECTS[e])
        } else {
            // Never the last subject: those needs are the gaps no provider closes.
            let served = &theme.subjects[e][..theme.subjects[e].len() - 1];
            rng.pick(served)
        };
        let code = format!("{element}:{subject}");
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
        .into_iter()
        .map(|code| {
            let unlimited = rng.chance(150) || (level == Level::National && rng.chance(300));
            let capacity = if unlimited {
                None
            } else if rng.chance(500) {
                Some(1 + rng.below(50) as u32)
            } else {
                Some(1 + rng.skewed(50) as u32)
            };
            Capability { code, capacity }
        })
        .collect()
}

fn provider_name(
    kind: OrgKind,
    level: Level,
    theme: &Theme,
    city: &City,
    province: &Province,
) -> String {
    let t = theme.name;
    let (c, p) = (city.label(province), province.name);
    let short = city.short;
    match (kind, level) {
        (OrgKind::Institute, Level::National) => format!("国家{t}技术创新中心（{short}）"),
        (OrgKind::Institute, Level::Provincial) => format!("{p}{t}产业研究院"),
        (OrgKind::Institute, Level::Municipal) => format!("{short}{t}技术研究院"),
        (OrgKind::InspectionCenter, Level::National) => {
            format!("国家{t}产品质量检验检测中心（{short}）")
        }
        (OrgKind::InspectionCenter, Level::Provincial) => format!("{p}{t}产品质量检验中心"),
        (OrgKind::InspectionCenter, Level::Municipal) => format!("{c}产品质量监督检验所"),
        (OrgKind::MetrologyCenter, Level::National) => format!("国家{t}计量测试中心（{short}）"),
        (OrgKind::MetrologyCenter, Level::Provincial) => format!("{p}计量科学研究院"),
        (OrgKind::MetrologyCenter, Level::Municipal) => format!("{c}计量测试所"),
        (OrgKind::StandardsBody, Level::National) => {
            format!("全国{t}标准化技术委员会{short}工作组")
        }
        (OrgKind::StandardsBody, Level::Provincial) => format!("{p}{t}标准化技术委员会"),
        (OrgKind::StandardsBody, Level::Municipal) => format!("{c}标准化研究所"),
        (OrgKind::CertificationBody, Level::National) => format!("中国质量认证中心{short}分中心"),
        (OrgKind::CertificationBody, Level::Provincial) => format!("{p}质量认证中心"),
        (OrgKind::CertificationBody, Level::Municipal) => format!("{c}认证服务中心"),
        (OrgKind::ServiceStation | OrgKind::Enterprise, Level::National) => {
            format!("国家质量基础设施集成服务平台（{short}）")
        }
        (OrgKind::ServiceStation | OrgKind::Enterprise, Level::Provincial) => {
            format!("{p}质量基础设施一站式服务中心")
        }
        (OrgKind::ServiceStation | OrgKind::Enterprise, Level::Municipal) => {
            format!("{c}{t}质量基础设施一站式服务站")
        }
    }
}
