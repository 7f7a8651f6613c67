//! The three lists of a chain (三清单) as report workbooks: the problem list (问题清单), the key
//! projects (重点项目清单: the stored projects and, for those who may read them, the candidates)
//! and the policy tools per gap (政策工具清单). Each list is read through the same service
//! function as its JSON route, with the caller's role, so a download shows exactly what the
//! JSON shows that caller; the cells carry names (firms, segments, capabilities, categories),
//! with codes only in columns of their own.

use super::{chains, tackling, work, Error, Principal, Snapshot};
use crate::model::{Category, Dataset, Status};
use crate::sheet::layout::{DISCLOSURES, STATUSES};
use crate::sheet::lists::{Table, Value};

/// Which of the three lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Problems,
    Projects,
    PolicyTools,
}

impl ListKind {
    /// The list's name, used as the file name's ending (`{chain}-问题清单.xlsx`).
    pub fn title(self) -> &'static str {
        match self {
            ListKind::Problems => "问题清单",
            ListKind::Projects => "重点项目清单",
            ListKind::PolicyTools => "政策工具清单",
        }
    }
}

/// The list `kind` of chain `id` as the tables of a workbook, as `who` may read it.
///
/// Errors: those of the list's JSON route for `who` (403, 404).
/// Complexity: that of the JSON route with every row on one page.
pub fn chain_list(
    snap: &Snapshot,
    who: &Principal,
    id: &str,
    kind: ListKind,
) -> Result<Vec<Table>, Error> {
    match kind {
        ListKind::Problems => Ok(vec![problem_table(snap, who, id)?]),
        ListKind::Projects => project_tables(snap, who, id),
        ListKind::PolicyTools => Ok(vec![policy_table(snap, who, id)?]),
    }
}

/// The largest page the list services give; the downloads read page after page of it.
const PAGE: usize = 1000;

fn label<'a>(table: &'a [(&'a str, &'a str)], code: &'a str) -> &'a str {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| *l)
}

fn status_label(s: Status) -> &'static str {
    label(STATUSES, s.as_str())
}

fn category_label(c: Category) -> &'static str {
    c.label_zh()
}

/// Capability codes by their catalogue names, `；`-separated.
fn capability_names(d: &Dataset, codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| d.capability_label(c))
        .collect::<Vec<_>>()
        .join("；")
}

fn firm_names(d: &Dataset, ids: &[String]) -> String {
    ids.iter()
        .map(|f| {
            d.organizations
                .get(f)
                .map_or(f.as_str(), |o| o.name.as_str())
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn yes_no(b: bool) -> Value {
    Value::from(if b { "是" } else { "否" })
}

fn problem_table(snap: &Snapshot, who: &Principal, id: &str) -> Result<Table, Error> {
    let d = &snap.dataset;
    let segment_name = |s: &str| -> String {
        d.chains
            .get(id)
            .and_then(|c| c.segments.iter().find(|x| x.id == s))
            .map_or_else(|| s.to_string(), |x| x.name.clone())
    };
    let mut table = Table::new(
        ListKind::Problems.title(),
        vec![
            "问题编号",
            "企业",
            "环节",
            "问题",
            "类别",
            "严重程度",
            "状态",
            "所需能力",
            "能力代码",
            "披露范围",
            "攻关项目",
            "已攻关",
        ],
    );
    let mut page = 1;
    loop {
        let filter = chains::ProblemFilter {
            page: Some(page),
            per_page: Some(PAGE),
            ..Default::default()
        };
        let rows = chains::problems(snap, who, id, filter)?;
        let last = page * PAGE >= rows.total;
        for r in rows.problems {
            let p = &r.problem;
            table.push(vec![
                p.id.as_str().into(),
                r.firm_name.into(),
                segment_name(&r.segment).into(),
                p.title.as_str().into(),
                category_label(p.category).into(),
                p.severity.into(),
                status_label(p.status).into(),
                capability_names(d, &p.needs).into(),
                p.needs.join("；").into(),
                label(DISCLOSURES, p.disclosure.as_str()).into(),
                r.projects
                    .iter()
                    .map(|j| j.title.as_str())
                    .collect::<Vec<_>>()
                    .join("；")
                    .into(),
                yes_no(r.tackled),
            ]);
        }
        if last {
            return Ok(table);
        }
        page += 1;
    }
}

/// The stored projects of the chain the caller reads, and the ranked candidates when it may
/// read them (the candidate list's route refuses some roles that read projects).
fn project_tables(snap: &Snapshot, who: &Principal, id: &str) -> Result<Vec<Table>, Error> {
    let d = &snap.dataset;
    if !d.chains.contains_key(id) {
        return Err(Error::not_found("chain", id));
    }
    let mut stored = Table::new(
        "重点项目",
        vec![
            "项目编号",
            "项目名称",
            "类别",
            "状态",
            "年度",
            "牵头单位",
            "参与单位",
            "问题数",
            "问题编号",
            "成果水平",
        ],
    );
    let mut page = 1;
    loop {
        let filter = work::ProjectFilter {
            chain: Some(id.to_string()),
            page: Some(page),
            per_page: Some(PAGE),
            ..Default::default()
        };
        let rows = work::projects(snap, who, filter)?;
        let last = page * PAGE >= rows.total;
        for p in rows.projects {
            stored.push(vec![
                p.id.as_str().into(),
                p.title.as_str().into(),
                p.category.label_zh().into(),
                p.status.label_zh().into(),
                p.year.into(),
                firm_names(d, std::slice::from_ref(&p.lead)).into(),
                firm_names(d, &p.participants).into(),
                p.problems.len().into(),
                p.problems.join("；").into(),
                p.level.map(|l| l.label_zh().to_string()).into(),
            ]);
        }
        if last {
            break;
        }
        page += 1;
    }
    let mut tables = vec![stored];
    match tackling::candidates_of(snap, who, id, None) {
        Ok(lists) => {
            let mut candidates = Table::new(
                "项目候选",
                vec![
                    "类别",
                    "候选项目",
                    "牵头单位",
                    "涉及企业",
                    "问题数",
                    "严重度合计",
                    "未满足占比",
                    "得分",
                    "候选服务机构",
                ],
            );
            for k in lists
                .common_technology
                .iter()
                .chain(&lists.chain_collaboration)
                .chain(&lists.key_product)
            {
                candidates.push(vec![
                    k.category.label_zh().into(),
                    k.title.as_str().into(),
                    firm_names(d, std::slice::from_ref(&k.lead)).into(),
                    firm_names(d, &k.firms).into(),
                    k.problems.len().into(),
                    k.severity.into(),
                    Value::Number((k.unserved_share * 1000.0).round() / 1000.0),
                    Value::Number((k.score * 10.0).round() / 10.0),
                    k.candidates
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join("；")
                        .into(),
                ]);
            }
            tables.push(candidates);
        }
        Err(Error::Forbidden) => {}
        Err(e) => return Err(e),
    }
    Ok(tables)
}

fn policy_table(snap: &Snapshot, who: &Principal, id: &str) -> Result<Table, Error> {
    let d = &snap.dataset;
    let list = tackling::policy_tools_of(snap, who, id)?;
    let mut table = Table::new(
        ListKind::PolicyTools.title(),
        vec![
            "缺口类型",
            "能力",
            "能力代码",
            "要素",
            "地区",
            "需求数",
            "严重度合计",
            "涉及企业",
            "适用政策工具",
            "政策缺口",
        ],
    );
    for g in &list.gaps {
        let element =
            crate::model::Element::parse(&g.element).map_or(g.element.as_str(), |e| e.label_zh());
        table.push(vec![
            g.kind.label_zh().into(),
            d.capability_label(&g.code).into(),
            g.code.as_str().into(),
            element.into(),
            g.region_name
                .clone()
                .unwrap_or_else(|| g.region.clone())
                .into(),
            g.needs.into(),
            g.severity.into(),
            firm_names(d, &g.firms).into(),
            g.tools
                .iter()
                .map(|t| format!("{}（{}，{}）", t.title, t.kind.label_zh(), t.issuer))
                .collect::<Vec<_>>()
                .join("；")
                .into(),
            yes_no(g.tools.is_empty()),
        ]);
    }
    Ok(table)
}
