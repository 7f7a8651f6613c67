//! The quality map of a chain as one standalone SVG picture (for reports, slides and `qmap
//! render`): segment columns upstream → downstream with Chinese headers, every listed firm as a
//! mark coloured by risk and sized by importance, supplies as edges with the weak-link marks,
//! the QI providers in a band of their own, the QI gaps by their catalogue names (the code on
//! hover), a legend, and a title with the chain's coverage.
//!
//! Each firm is a `<g class="firm" data-firm="ID">` holding a `<title>` with its name, so the
//! picture can be searched and tested. Text is XML-escaped; nothing here reads the clock.

use super::layout::{layout, Layout, COLUMN_WIDTH};
use crate::map::{MapProvider, QualityMap};
use crate::model::Role;
use std::collections::BTreeMap;
use std::fmt::Write;

const FONT: &str = "'Noto Sans CJK SC','Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif";
const MARGIN: f64 = 28.0;
/// Top of the segment headers (below the title and legend).
const HEADER_TOP: f64 = 104.0;
const HEADER_HEIGHT: f64 = 46.0;
const PROVIDER_CELL: f64 = 150.0;

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Risk colour: green (0) through amber (0.5) to red (1).
pub fn risk_colour(score: f64) -> String {
    let s = if score.is_finite() {
        score.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (a, b, t) = if s < 0.5 {
        ((0x3a, 0xa7, 0x6d), (0xf0, 0xb4, 0x29), s * 2.0)
    } else {
        ((0xf0, 0xb4, 0x29), (0xd6, 0x45, 0x41), (s - 0.5) * 2.0)
    };
    let mix = |x: i32, y: i32| (x as f64 + (y - x) as f64 * t).round() as i32;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// Share as a whole percentage; an empty total counts as fully covered.
fn percent(part: u64, total: u64) -> u64 {
    (part * 100 + total / 2).checked_div(total).unwrap_or(100)
}

/// Shortens a name to `max` characters with an ellipsis.
fn short(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        name.chars().take(max - 1).chain(['…']).collect()
    }
}

/// Draws the quality map as a standalone SVG document.
///
/// # Complexity
/// O(V + E + P) for V listed firms, E supplies and P providers.
pub fn chain_map_svg(map: &QualityMap) -> String {
    let firms_top = HEADER_TOP + HEADER_HEIGHT + 14.0;
    let lay = layout(map, firms_top);
    let band_top = firms_top + lay.height + 36.0;
    let per_row = ((lay.width / PROVIDER_CELL).floor() as usize).max(1);
    // Up to PROVIDER_CHIPS providers are drawn one by one; more are summarised by kind and
    // level, and only those with the most assigned needs are named.
    let summarised = map.providers.len() > PROVIDER_CHIPS;
    let chips: Vec<&MapProvider> = if summarised {
        let mut busiest: Vec<&MapProvider> = map.providers.iter().collect();
        busiest.sort_by(|a, b| {
            b.assigned_needs
                .cmp(&a.assigned_needs)
                .then_with(|| a.id.cmp(&b.id))
        });
        busiest.truncate(PROVIDERS_NAMED);
        busiest
    } else {
        map.providers.iter().collect()
    };
    let summary = if summarised {
        provider_summary(&map.providers)
    } else {
        Vec::new()
    };
    let provider_rows = chips.len().div_ceil(per_row);
    let summary_height = if summarised {
        summary.len() as f64 * 22.0 + 40.0
    } else {
        0.0
    };
    let band_height = if map.providers.is_empty() {
        0.0
    } else {
        40.0 + summary_height + provider_rows as f64 * 30.0
    };
    let gaps = map.gaps.infrastructure.len() + map.gaps.capacity.len();
    let gaps_top = band_top + band_height + if band_height > 0.0 { 16.0 } else { 0.0 };
    let gap_rows = gaps.div_ceil(per_row);
    let gaps_height = if gaps == 0 {
        0.0
    } else {
        40.0 + gap_rows as f64 * 30.0
    };
    let width = (lay.width + 2.0 * MARGIN).max(760.0);
    let height = gaps_top + gaps_height + MARGIN;
    let mut s = String::with_capacity(4096 + map.firms.len() * 320 + map.supplies.len() * 90);

    let _ = writeln!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT}" font-size="12">
<rect width="100%" height="100%" fill="#fbfcfe"/>"##
    );
    let cov = &map.coverage;
    let _ = writeln!(
        s,
        r##"<text x="{MARGIN}" y="38" font-size="22" font-weight="700" fill="#14213d">{name} · 产业链质量图谱</text>
<text x="{MARGIN}" y="62" font-size="13" fill="#4a5568">QI 覆盖率 {sev}%（按严重度 {sa}/{st}）· 需求满足 {na}/{nt} · 企业 {ft} 家（图中 {fs} 家）· 链主 {m} · 关键节点 {c} · 单一来源 {ss} · 仅进口 {fo}{chief}</text>"##,
        name = escape(&map.chain.name),
        sev = percent(cov.severity_assigned, cov.severity_total),
        sa = cov.severity_assigned,
        st = cov.severity_total,
        na = cov.needs_assigned,
        nt = cov.needs_total,
        ft = map.firms_total,
        fs = map.firms_shown,
        m = map.counts.masters,
        c = map.counts.critical_nodes,
        ss = map.counts.single_source_parts,
        fo = map.counts.foreign_only_parts,
        chief = map
            .chain
            .chief
            .as_deref()
            .map(|c| format!(" · 链长 {}", escape(c)))
            .unwrap_or_default(),
    );
    legend(&mut s, 80.0);

    let x0 = MARGIN;
    s.push_str("<g class=\"segments\">\n");
    for (i, seg) in map.chain.segments.iter().enumerate() {
        let left = x0 + lay.columns.get(i).copied().unwrap_or(0.0);
        let total = map
            .segments
            .iter()
            .find(|x| x.id == seg.id)
            .map_or(0, |x| x.firms);
        let grouped: usize = map
            .groups
            .iter()
            .filter(|g| g.segment == seg.id)
            .map(|g| g.firms)
            .sum();
        let fill = if i % 2 == 0 { "#eef2f8" } else { "#f5f7fb" };
        let _ = writeln!(
            s,
            r##"<g class="segment" data-segment="{id}"><rect x="{left:.1}" y="{HEADER_TOP}" width="{COLUMN_WIDTH}" height="{h:.1}" rx="8" fill="{fill}"/><text x="{tx:.1}" y="{ty:.1}" font-size="14" font-weight="700" fill="#1f2d4d">{n}. {name}</text><text x="{tx:.1}" y="{ty2:.1}" font-size="11" fill="#5a6781">{total} 家{more}</text></g>"##,
            id = escape(&seg.id),
            h = band_top - HEADER_TOP - 18.0,
            tx = left + 10.0,
            ty = HEADER_TOP + 20.0,
            ty2 = HEADER_TOP + 37.0,
            n = i + 1,
            name = escape(&seg.name),
            more = if grouped > 0 {
                format!(
                    "（单列 {} 家，其余 {grouped} 家按风险分组）",
                    total.saturating_sub(grouped)
                )
            } else {
                String::new()
            },
        );
        if i + 1 < map.chain.segments.len() {
            let ax = left + COLUMN_WIDTH + 4.0;
            let _ = writeln!(
                s,
                r##"<path d="M{ax:.1} {y:.1} l14 0 m-5 -5 l5 5 l-5 5" stroke="#9aa7bd" stroke-width="2" fill="none"/>"##,
                y = HEADER_TOP + 23.0
            );
        }
    }
    s.push_str("</g>\n");

    // Edges, routed through the gaps and the lane (never across a column's labels). Parallel
    // supplies between the same two marks or groups are one line, wider with the count; single
    // lines share one path per kind, which keeps a big picture small and quick to draw.
    let mut pairs: BTreeMap<(&str, &str), (usize, usize, usize)> = BTreeMap::new();
    for e in &map.supplies {
        let c = pairs.entry((&e.from, &e.to)).or_default();
        c.0 += 1;
        c.1 += usize::from(e.single_source);
        c.2 += usize::from(e.foreign_only);
    }
    for b in &map.bundles {
        let c = pairs.entry((&b.from, &b.to)).or_default();
        c.0 += b.supplies;
        c.1 += b.single_source;
        c.2 += b.foreign_only;
    }
    let mut plain = String::new();
    let mut single = String::new();
    let mut foreign = String::new();
    let mut wide = String::new();
    for ((from, to), (n, ss, fo)) in pairs {
        let Some(d) = lay.route(from, to) else {
            continue;
        };
        let kind = if fo > 0 {
            "foreign-only"
        } else if ss > 0 {
            "single-source"
        } else {
            ""
        };
        if n == 1 {
            match kind {
                "foreign-only" => foreign.push_str(&d),
                "single-source" => single.push_str(&d),
                _ => plain.push_str(&d),
            }
        } else {
            let _ = write!(
                wide,
                r##"<path class="supply bundle {kind}" d="{d}" stroke-width="{w:.1}"><title>{n} 条供应（单一来源 {ss}，仅进口 {fo}）</title></path>"##,
                w = (1.0 + (n as f64).log2() * 0.7).min(6.0),
            );
        }
    }
    let _ = writeln!(
        s,
        r##"<g class="supplies" fill="none" transform="translate({x0} 0)"><path class="supply" d="{plain}" stroke="#8a9ab5" stroke-opacity="0.45" stroke-width="1"/><path class="supply single-source" d="{single}" stroke="#e07b1a" stroke-opacity="0.85" stroke-width="1.6"/><path class="supply foreign-only" d="{foreign}" stroke="#7b4fc9" stroke-opacity="0.9" stroke-width="1.6" stroke-dasharray="5 3"/><g class="bundles" stroke="#8a9ab5" stroke-opacity="0.5">{wide}</g></g>"##
    );

    s.push_str("<g class=\"firms\">\n");
    for f in &map.firms {
        let Some(p) = lay.places.get(&f.id) else {
            continue;
        };
        let (x, y, r) = (p.x + x0, p.y, p.r);
        let master = f.role == Role::ChainMaster;
        let fill = risk_colour(f.risk.score);
        let mut title = escape(&f.name);
        let _ = write!(title, "（风险 {:.2}", f.risk.score);
        if master {
            title.push_str("，链主");
        }
        if f.critical {
            let _ = write!(title, "，关键节点：影响 {} 家", f.disabled_count);
        }
        if f.foreign {
            title.push_str("，境外");
        }
        title.push('）');
        let _ = writeln!(
            s,
            r##"<g class="firm{cls}" id="firm-{id}" data-firm="{id}"><title>{title}</title>"##,
            cls = [
                (master, " master"),
                (f.critical, " critical"),
                (f.foreign, " foreign"),
                (f.single_source, " single-source"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, c)| *c)
            .collect::<String>(),
            id = escape(&f.id),
        );
        if f.critical {
            let _ = write!(
                s,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="none" stroke="#b3261e" stroke-width="2"/>"##,
                r + 3.0
            );
        }
        let stroke = if f.foreign {
            r##" stroke="#7b4fc9" stroke-width="1.6" stroke-dasharray="3 2""##
        } else {
            r##" stroke="#ffffff" stroke-width="1""##
        };
        if master {
            let _ = write!(
                s,
                r##"<path d="M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z" fill="{fill}" stroke="#14213d" stroke-width="2"/>"##,
                y - r - 2.0,
                x + r + 2.0,
                y + r + 2.0,
                x - r - 2.0
            );
        } else {
            let _ = write!(
                s,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}"{stroke}/>"##
            );
        }
        if let Some(l) = lay.labels.get(&f.id) {
            let weight = if master || f.critical { "700" } else { "400" };
            let _ = write!(
                s,
                r##"<text class="label" x="{:.1}" y="{:.1}"{anchor} font-size="12" font-weight="{weight}" fill="#1f2d4d" stroke="#fbfcfe" stroke-width="3" paint-order="stroke">{}</text>"##,
                l.x + x0,
                l.y,
                escape(&l.text),
                anchor = if l.end { r#" text-anchor="end""# } else { "" },
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n");
    groups(&mut s, map, &lay, x0);

    if !map.providers.is_empty() {
        let _ = write!(
            s,
            r##"<g class="providers"><rect x="{MARGIN}" y="{band_top:.1}" width="{w:.1}" height="{band_height:.1}" rx="8" fill="#eaf4f1"/><text x="{tx:.1}" y="{ty:.1}" font-size="14" font-weight="700" fill="#1d5c4d">质量基础设施（QI）服务机构 · {n} 家</text>"##,
            w = lay.width,
            tx = MARGIN + 10.0,
            ty = band_top + 22.0,
            n = map.providers.len()
        );
        for (i, (kind, levels)) in summary.iter().enumerate() {
            let y = band_top + 48.0 + i as f64 * 22.0;
            let _ = writeln!(
                s,
                r##"<g class="provider-kind" data-kind="{k}"><rect x="{x:.1}" y="{:.1}" width="12" height="12" rx="2" fill="{c}"/><text x="{:.1}" y="{y:.1}" font-size="12" fill="#1f3b35"><tspan font-weight="700">{name} {total} 家</tspan>：国家级 {} · 省级 {} · 市级 {}</text></g>"##,
                y - 10.0,
                MARGIN + 32.0,
                levels[0],
                levels[1],
                levels[2],
                k = serde_json::to_value(kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                x = MARGIN + 14.0,
                c = kind_colour(*kind),
                name = kind_name(*kind),
                total = levels.iter().sum::<usize>(),
            );
        }
        if summarised {
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#1d5c4d">承担需求最多的 {} 家：</text>"##,
                MARGIN + 14.0,
                band_top + 44.0 + summary_height - 22.0,
                chips.len()
            );
        }
        let chips_top = band_top + 44.0 + summary_height;
        for (i, p) in chips.iter().enumerate() {
            let x = MARGIN + 14.0 + (i % per_row) as f64 * PROVIDER_CELL;
            let y = chips_top + (i / per_row) as f64 * 30.0;
            let capabilities = p
                .capabilities
                .iter()
                .map(|c| capability_name(map, &c.code))
                .collect::<Vec<_>>()
                .join("、");
            let _ = writeln!(
                s,
                r##"<g class="provider" data-provider="{id}"><title>{name}（已分配 {a} 项需求）能力：{capabilities}</title><rect x="{x:.1}" y="{:.1}" width="12" height="12" rx="2" fill="{c}"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#1f3b35">{label}</text></g>"##,
                y - 9.0,
                x + 18.0,
                y + 1.0,
                id = escape(&p.id),
                name = escape(&p.name),
                a = p.assigned_needs,
                c = kind_colour(p.kind),
                label = escape(&short(&p.name, 10)),
                capabilities = escape(&capabilities),
            );
        }
        s.push_str("</g>\n");
    }
    if gaps > 0 {
        gap_band(&mut s, map, gaps_top, gaps_height, lay.width, per_row);
    }
    s.push_str("</svg>\n");
    s
}

/// The catalogue name of capability `code`, or the code itself when the catalogue lacks it.
fn capability_name<'a>(map: &'a QualityMap, code: &'a str) -> &'a str {
    map.capability_names.get(code).map_or(code, String::as_str)
}

/// The gaps band: each infrastructure gap (no eligible provider: red) and capacity gap
/// (providers too busy: amber) by its catalogue name, the code and the needs on hover.
fn gap_band(s: &mut String, map: &QualityMap, top: f64, height: f64, width: f64, per_row: usize) {
    let _ = write!(
        s,
        r##"<g class="gaps"><rect x="{MARGIN}" y="{top:.1}" width="{width:.1}" height="{height:.1}" rx="8" fill="#fbf0ef"/><text x="{tx:.1}" y="{ty:.1}" font-size="14" font-weight="700" fill="#7a2620">QI 缺口 · 基础设施缺口 {i} 项（红）· 能力缺口 {c} 项（橙）</text>"##,
        tx = MARGIN + 10.0,
        ty = top + 22.0,
        i = map.gaps.infrastructure.len(),
        c = map.gaps.capacity.len(),
    );
    let groups = map
        .gaps
        .infrastructure
        .iter()
        .map(|g| (g, "infrastructure", "#d64541", "基础设施缺口"))
        .chain(
            map.gaps
                .capacity
                .iter()
                .map(|g| (g, "capacity", "#e07b1a", "能力缺口")),
        );
    for (i, (g, kind, colour, what)) in groups.enumerate() {
        let x = MARGIN + 14.0 + (i % per_row) as f64 * PROVIDER_CELL;
        let y = top + 44.0 + (i / per_row) as f64 * 30.0;
        let name = capability_name(map, &g.code);
        let _ = writeln!(
            s,
            r##"<g class="gap {kind}" data-code="{code}"><title>{code}：{what}，{n} 项需求，严重度合计 {sev}</title><rect x="{x:.1}" y="{:.1}" width="12" height="12" rx="2" fill="{colour}"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#4a1d1a">{label}</text></g>"##,
            y - 9.0,
            x + 18.0,
            y + 1.0,
            code = escape(&g.code),
            n = g.needs,
            sev = g.severity,
            label = escape(&short(name, 10)),
        );
    }
    s.push_str("</g>\n");
}

/// The group cards: per segment, the firms not drawn one by one, by risk class, with counts.
fn groups(s: &mut String, map: &QualityMap, lay: &Layout, x0: f64) {
    s.push_str("<g class=\"groups\">\n");
    for g in &map.groups {
        let Some(p) = lay.groups.get(&g.id) else {
            continue;
        };
        let r = p.rect;
        let class = g.risk_class;
        let colour = risk_colour(match class {
            crate::map::RiskClass::High => 1.0,
            crate::map::RiskClass::Mid => 0.5,
            crate::map::RiskClass::Low => 0.0,
        });
        let extra = if g.demand_problems > 0 {
            format!("问题 {}", g.demand_problems)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            r##"<g class="group {cls}" data-group="{id}"><title>{label} {n} 家（境外 {foreign}，关键节点 {critical}，单一来源供应商 {single}，平均风险 {mean:.2}，最高 {max:.2}）</title><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="6" fill="#ffffff" stroke="{colour}" stroke-width="1.5"/><rect x="{x:.1}" y="{y:.1}" width="6" height="{h:.1}" rx="3" fill="{colour}"/><text x="{tx:.1}" y="{ty:.1}" font-size="12" font-weight="700" fill="#1f2d4d">{label} {n} 家</text><text x="{tx2:.1}" y="{ty:.1}" font-size="10" fill="#5a6781" text-anchor="end">{extra}</text></g>"##,
            cls = class.as_str(),
            id = escape(&g.id),
            label = class.label(),
            n = g.firms,
            mean = g.mean_risk,
            max = g.max_risk,
            x = r.x + x0,
            y = r.y,
            w = r.w,
            h = r.h,
            tx = r.x + x0 + 14.0,
            ty = r.y + r.h / 2.0 + 4.0,
            tx2 = r.x + x0 + r.w - 8.0,
            foreign = g.foreign,
            critical = g.critical,
            single = g.single_source,
        );
    }
    s.push_str("</g>\n");
}

/// Providers drawn one by one in the QI band at most; more are summarised by kind and level.
pub const PROVIDER_CHIPS: usize = 24;
/// Providers named in a summarised band (those with most assigned needs).
const PROVIDERS_NAMED: usize = 6;

/// The rows of a summarised QI band: per kind, the count by level.
fn provider_summary(providers: &[MapProvider]) -> Vec<(crate::model::OrgKind, [usize; 3])> {
    let mut by_kind: BTreeMap<crate::model::OrgKind, [usize; 3]> = BTreeMap::new();
    for p in providers {
        let i = match p.level {
            crate::model::Level::National => 0,
            crate::model::Level::Provincial => 1,
            crate::model::Level::Municipal => 2,
        };
        by_kind.entry(p.kind).or_default()[i] += 1;
    }
    by_kind.into_iter().collect()
}

/// Chinese name of a provider kind.
fn kind_name(kind: crate::model::OrgKind) -> &'static str {
    use crate::model::OrgKind::*;
    match kind {
        InspectionCenter => "质检中心",
        MetrologyCenter => "计量测试中心",
        StandardsBody => "标准化机构",
        CertificationBody => "认证机构",
        ServiceStation => "一站式服务站",
        Institute => "科研院所",
        Enterprise => "企业",
    }
}

/// Colour of a provider kind, shared with the page's legend.
fn kind_colour(kind: crate::model::OrgKind) -> &'static str {
    use crate::model::OrgKind::*;
    match kind {
        InspectionCenter => "#2b7a78",
        MetrologyCenter => "#3d5a98",
        StandardsBody => "#8c5e2a",
        CertificationBody => "#a23b72",
        ServiceStation => "#4f8a3c",
        Institute => "#6b5b95",
        Enterprise => "#888888",
    }
}

/// The legend row: what marks, rings and edges mean.
fn legend(s: &mut String, y: f64) {
    let low = risk_colour(0.0);
    let items: [(&str, f64); 10] = [
        ("低风险", 74.0),
        ("中风险", 74.0),
        ("高风险", 74.0),
        ("链主", 62.0),
        ("关键节点", 86.0),
        ("境外企业", 86.0),
        ("供应关系", 86.0),
        ("单一来源", 86.0),
        ("仅进口（卡脖子）", 140.0),
        ("", 0.0),
    ];
    s.push_str("<g class=\"legend\">");
    let mut x = MARGIN;
    for (i, (label, width)) in items.iter().enumerate() {
        let cx = x + 6.0;
        let mark = match i {
            0..=2 => format!(
                r##"<circle cx="{cx:.1}" cy="{y}" r="6" fill="{}"/>"##,
                risk_colour(i as f64 / 2.0)
            ),
            3 => format!(
                r##"<path d="M{cx:.1} {:.1}L{:.1} {y}L{cx:.1} {:.1}L{:.1} {y}Z" fill="#f0b429" stroke="#14213d" stroke-width="2"/>"##,
                y - 8.0,
                cx + 8.0,
                y + 8.0,
                cx - 8.0
            ),
            4 => format!(
                r##"<circle cx="{cx:.1}" cy="{y}" r="5" fill="{low}"/><circle cx="{cx:.1}" cy="{y}" r="8" fill="none" stroke="#b3261e" stroke-width="2"/>"##
            ),
            5 => format!(
                r##"<circle cx="{cx:.1}" cy="{y}" r="6" fill="{low}" stroke="#7b4fc9" stroke-width="1.6" stroke-dasharray="3 2"/>"##
            ),
            6 => format!(r##"<path d="M{x:.1} {y}l14 0" stroke="#8a9ab5" stroke-width="1.5"/>"##),
            7 => format!(r##"<path d="M{x:.1} {y}l14 0" stroke="#e07b1a" stroke-width="2"/>"##),
            8 => format!(
                r##"<path d="M{x:.1} {y}l14 0" stroke="#7b4fc9" stroke-width="2" stroke-dasharray="5 3"/>"##
            ),
            _ => {
                let _ = write!(
                    s,
                    r##"<text x="{x:.1}" y="{:.1}" font-size="11" fill="#6b778c">标记大小 = 重要度（链主、关键节点、风险）；各列自上而下按重要度排列</text>"##,
                    y + 4.0
                );
                continue;
            }
        };
        let _ = write!(
            s,
            r##"{mark}<text x="{:.1}" y="{:.1}" font-size="12" fill="#36435c">{label}</text>"##,
            x + 18.0,
            y + 4.0
        );
        x += width;
    }
    s.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_names_safe_in_xml() {
        assert_eq!(
            escape("A&B <x> \"q\" 'y'"),
            "A&amp;B &lt;x&gt; &quot;q&quot; &apos;y&apos;"
        );
        assert_eq!(escape("a\u{1}b"), "ab");
    }

    #[test]
    fn risk_colour_runs_from_green_to_red() {
        assert_eq!(risk_colour(0.0), "#3aa76d");
        assert_eq!(risk_colour(0.5), "#f0b429");
        assert_eq!(risk_colour(1.0), "#d64541");
        assert_eq!(risk_colour(f64::NAN), "#3aa76d");
    }

    #[test]
    fn short_keeps_short_names_and_cuts_long_ones() {
        assert_eq!(short("电芯", 4), "电芯");
        assert_eq!(short("张家港添锂化学有限公司", 5), "张家港添…");
    }
}
