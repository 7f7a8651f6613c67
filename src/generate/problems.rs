//! Phase 4: the firms' quality problems.
//!
//! About one per firm (none for 40% of firms, up to four), on one of the firm's chains. The
//! category decides the element the needs mostly ask for (测不准 → metrology, 检不了 → testing,
//! …); subjects come from the chain's theme, skewed so that the first subjects are needed by many
//! firms (common problems) and the last, which no provider offers, by a few (gaps).

use super::rng::Rng;
use super::vocab::{element_index, GENERIC_SUBJECTS};
use super::{shape, stream, Layout};
use crate::model::{Category, Element, Organization, Problem, Status};
use std::collections::HashMap;

/// Weights of `Category::ALL`.
const CATEGORY_WEIGHTS: [u32; 8] = [15, 20, 12, 10, 15, 12, 8, 8];
/// Weights of severities 1 to 5.
const SEVERITY_WEIGHTS: [u32; 5] = [15, 25, 30, 20, 10];
/// Open, in progress, resolved.
const STATUS_WEIGHTS: [u32; 3] = [700, 180, 120];
const STATUSES: [Status; 3] = [Status::Open, Status::InProgress, Status::Resolved];

/// Appends the problems of `firms` to `out`.
pub(super) fn generate(
    seed: u64,
    layouts: &[Layout],
    firms: &[Organization],
    out: &mut Vec<Problem>,
) {
    let mut rng = Rng::new(seed, stream::PROBLEMS);
    // Looked up by key only, never iterated.
    let chains: HashMap<&str, &Layout> = layouts.iter().map(|l| (l.id.as_str(), l)).collect();
    for firm in firms {
        let mut count = rng.weighted(&shape::PROBLEMS_WEIGHTS);
        // Foreign firms are surveyed less closely.
        if firm.foreign && count > 0 && rng.chance(500) {
            count -= 1;
        }
        for _ in 0..count {
            let memberships = firm.memberships();
            let membership = &memberships[rng.below(memberships.len())];
            let theme = chains[membership.chain.as_str()].theme;
            let category = Category::ALL[rng.weighted(&CATEGORY_WEIGHTS)];
            let wanted = if rng.chance(350) { 2 } else { 1 };
            let mut needs: Vec<String> = Vec::with_capacity(wanted);
            let mut title_subject = "";
            for _ in 0..wanted * 3 {
                if needs.len() == wanted {
                    break;
                }
                let element = if rng.chance(750) {
                    preferred_element(&mut rng, category)
                } else {
                    Element::ALL[rng.below(Element::ALL.len())]
                };
                let e = element_index(element);
                let subject = if rng.chance(150) {
                    rng.pick(GENERIC_SUBJECTS[e])
                } else {
                    let list = theme.subjects[e];
                    list[rng.skewed(list.len())]
                };
                let code = format!("{element}:{subject}");
                if !needs.contains(&code) {
                    if needs.is_empty() {
                        title_subject = subject;
                    }
                    needs.push(code);
                }
            }
            let severity = 1 + rng.weighted(&SEVERITY_WEIGHTS) as u8;
            let status = STATUSES[rng.weighted(&STATUS_WEIGHTS)];
            out.push(Problem {
                disclosure: Default::default(),
                id: format!("p{:07}", out.len() + 1),
                org: firm.id.clone(),
                chain: membership.chain.clone(),
                title: title(category, title_subject),
                category,
                severity,
                status,
                needs,
            });
        }
    }
}

fn preferred_element(rng: &mut Rng, category: Category) -> Element {
    match category {
        Category::Measurement => Element::Metrology,
        Category::Testing => Element::Testing,
        Category::Standard => Element::Standard,
        Category::Certification => Element::Certification,
        Category::Process | Category::Material => *rng.pick(&[Element::Testing, Element::Rd]),
        Category::Design => Element::Rd,
        Category::Other => Element::ALL[rng.below(Element::ALL.len())],
    }
}

fn title(category: Category, subject: &str) -> String {
    match category {
        Category::Measurement => format!("{subject}测量不准，量值溯源困难"),
        Category::Testing => format!("{subject}检测能力不足，需送外地检验"),
        Category::Standard => format!("缺少{subject}相关标准"),
        Category::Certification => format!("{subject}认证周期长、费用高"),
        Category::Process => format!("{subject}相关工艺稳定性不足"),
        Category::Material => format!("{subject}相关材料一致性差"),
        Category::Design => format!("{subject}设计验证手段缺乏"),
        Category::Other => format!("{subject}专业人才短缺"),
    }
}
