//! The sheets of the survey workbook and their columns: the one table that the template, the
//! reader and the writer all follow. Adding a sheet (or a column) is one entry here.
//!
//! Every column names where its value sits in the bundle's JSON (`path`, relative to the
//! record), how a cell is read and written (`kind`), whether the template marks it required, and
//! what the 说明 sheet says about it. A record kind whose records nest lists of objects
//! (a chain's segments, an organization's memberships and capabilities) has a sheet of its own
//! for the nested list, whose first column names the parent record (see [`Shape::Nested`]).

use crate::model::{
    Category, Disclosure, Element, GapKind, Level, OrgKind, PolicyKind, ProjectCategory,
    ProjectLevel, ProjectStatus,
};

/// Separator of list cells as written; `;` is accepted too on reading.
pub const LIST_SEPARATOR: &str = "；";

/// How a cell is read and written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Free text (names, titles, parts). A number, date or boolean cell is `wrong_cell_type`.
    Text,
    /// An id or a reference to one: text that may not start or end with whitespace (a trailing
    /// space is refused with `invalid_id` rather than silently trimmed).
    Id,
    /// A GB/T 2260 code (or a 2- or 4-digit prefix): text, or a whole number such as 320500
    /// (spreadsheet programs turn digits into numbers), which is read as its digits.
    Region,
    /// A whole number. Text of digits is read as the number (CSV cells are all text).
    Integer,
    /// A number. Text is read as the number when it parses.
    Number,
    /// 是 or 否 (also true/false, TRUE/FALSE, 1/0); an empty cell is false.
    Bool,
    /// One of an enumeration: its code or its Chinese label; written as the label.
    Enum(&'static [(&'static str, &'static str)]),
    /// A list of ids (or capability codes), separated by `；` (or `;`).
    List,
    /// A list of an enumeration's values (codes or labels), separated by `；` (or `;`).
    EnumList(&'static [(&'static str, &'static str)]),
}

/// One column of a sheet.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The Chinese header in row 1.
    pub header: &'static str,
    /// Where the value sits in the record's JSON object (`["results", "patents"]`). Empty for
    /// the first column of a nested sheet, which names the parent record.
    pub path: &'static [&'static str],
    pub kind: Kind,
    pub required: bool,
    /// What the column means (the 说明 sheet).
    pub about: &'static str,
    /// An example value (the 说明 sheet).
    pub example: &'static str,
    /// Width of the column in characters.
    pub width: f64,
}

/// How the rows of a sheet become records.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// One row per record of the bundle array `array`.
    Records { array: &'static str },
    /// One row per element of the list `field` of a record of `parent` (the bundle array),
    /// whose `id` (the `key` field) is in the first column. `keep_empty` tells, from the parent
    /// record's JSON object, whether the list is written (as `[]`) when the sheet has no row for
    /// it, so that an absent list and an empty one each read back as they were.
    Nested {
        parent: &'static str,
        key: &'static str,
        field: &'static str,
        keep_empty: fn(&serde_json::Map<String, serde_json::Value>) -> bool,
    },
}

/// One sheet of the workbook (one CSV file `<name>.csv`).
#[derive(Debug, Clone, Copy)]
pub struct Sheet {
    pub name: &'static str,
    pub shape: Shape,
    /// A workbook without this sheet is read as if it were empty (otherwise `missing_sheet`).
    pub optional: bool,
    /// What the sheet holds (the 说明 sheet).
    pub about: &'static str,
    pub columns: &'static [Column],
}

impl Sheet {
    /// The bundle array this sheet's rows (or their parents) belong to.
    pub fn array(&self) -> &'static str {
        match self.shape {
            Shape::Records { array } => array,
            Shape::Nested { parent, .. } => parent,
        }
    }
}

/// The name of the explanation sheet of the template; it is skipped on reading.
pub const ABOUT_SHEET: &str = "说明";

const fn col(
    header: &'static str,
    path: &'static [&'static str],
    kind: Kind,
    required: bool,
    about: &'static str,
    example: &'static str,
) -> Column {
    Column {
        header,
        path,
        kind,
        required,
        about,
        example,
        width: 16.0,
    }
}

const fn wide(mut c: Column, width: f64) -> Column {
    c.width = width;
    c
}

pub static ORG_KINDS: &[(&str, &str)] = &[
    ("enterprise", "企业"),
    ("institute", "科研院所"),
    ("inspection_center", "质检中心"),
    ("metrology_center", "计量测试中心"),
    ("standards_body", "标准化技术委员会"),
    ("certification_body", "认证机构"),
    ("service_station", "一站式服务站点"),
];
pub static ROLES: &[(&str, &str)] = &[("chain_master", "链主"), ("member", "链员")];
pub static LEVELS: &[(&str, &str)] = &[
    ("national", "国家级"),
    ("provincial", "省级"),
    ("municipal", "市级"),
];
pub static CATEGORIES: &[(&str, &str)] = &[
    ("measurement", "测不准"),
    ("testing", "检不了"),
    ("standard", "少标准"),
    ("certification", "认证"),
    ("process", "工艺"),
    ("material", "材料"),
    ("design", "设计"),
    ("other", "其他"),
];
pub static STATUSES: &[(&str, &str)] = &[
    ("open", "待解决"),
    ("in_progress", "解决中"),
    ("resolved", "已解决"),
];
pub static PROJECT_CATEGORIES: &[(&str, &str)] = &[
    ("chain_collaboration", "产业链协同提升"),
    ("common_technology", "共性技术攻关"),
    ("key_product", "重点产品攻关"),
];
pub static PROJECT_STATUSES: &[(&str, &str)] = &[
    ("proposed", "申报"),
    ("approved", "立项"),
    ("in_progress", "在研"),
    ("completed", "验收"),
    ("cancelled", "终止"),
];
pub static PROJECT_LEVELS: &[(&str, &str)] = &[
    ("international_leading", "国际领先"),
    ("international_advanced", "国际先进"),
    ("domestic_leading", "国内领先"),
    ("domestic_advanced", "国内先进"),
];
pub static POLICY_KINDS: &[(&str, &str)] = &[
    ("funding", "资金支持"),
    ("standardization", "标准化"),
    ("metrology", "计量"),
    ("testing", "检验检测"),
    ("certification", "认证认可"),
    ("talent", "人才"),
    ("platform", "平台"),
    ("finance", "金融"),
    ("other", "其他"),
];
pub static ELEMENTS: &[(&str, &str)] = &[
    ("metrology", "计量"),
    ("standard", "标准"),
    ("testing", "检验检测"),
    ("certification", "认证认可"),
    ("rd", "研发"),
];
/// Who besides the holder and the regulators may read a problem (the page's labels).
pub static DISCLOSURES: &[(&str, &str)] = &[
    ("private", "不公开"),
    ("customers", "对下游客户"),
    ("chain", "对全链"),
];
pub static NOTICE_KINDS: &[(&str, &str)] = &[
    ("defect", "缺陷"),
    ("delay", "延期"),
    ("capacity", "产能"),
    ("change", "变更"),
    ("alert", "预警"),
];
pub static DIRECTIONS: &[(&str, &str)] = &[
    ("downstream", "向下游"),
    ("upstream", "向上游"),
    ("both", "上下游"),
];
pub static RELATIONS: &[(&str, &str)] = &[
    ("customer", "直接客户"),
    ("disabled", "受波及企业"),
    ("supplier", "直接供应商"),
];
pub static GAPS: &[(&str, &str)] = &[("infrastructure", "基础设施缺口"), ("capacity", "能力缺口")];
/// Severity 1–5 as a drop-down; read as a whole number.
pub static SEVERITIES: &[&str] = &["1", "2", "3", "4", "5"];

/// The model's own codes and labels, to check the tables above against (see the tests).
#[allow(dead_code)]
fn model_tables() -> [Vec<(&'static str, &'static str)>; 7] {
    [
        OrgKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        Category::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        ProjectCategory::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        ProjectStatus::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        ProjectLevel::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        PolicyKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        Element::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
    ]
}

#[allow(dead_code)]
fn more_model_tables() -> [Vec<&'static str>; 3] {
    [
        Level::ALL.iter().map(|l| l.as_str()).collect(),
        GapKind::ALL.iter().map(|g| g.as_str()).collect(),
        Disclosure::ALL.iter().map(|d| d.as_str()).collect(),
    ]
}

fn is_provider(org: &serde_json::Map<String, serde_json::Value>) -> bool {
    org.get("kind").and_then(|k| k.as_str()) != Some("enterprise")
}

fn never(_: &serde_json::Map<String, serde_json::Value>) -> bool {
    false
}

fn always(_: &serde_json::Map<String, serde_json::Value>) -> bool {
    true
}

use Kind::*;

/// The sheets, in workbook order.
pub static SHEETS: &[Sheet] = &[
    Sheet {
        name: "地区",
        shape: Shape::Records { array: "regions" },
        optional: true,
        about: "地区代码与名称（可选）：GB/T 2260 已内置，只需列出内置表没有的新设区县。",
        columns: &[
            col("地区代码", &["code"], Region, true, "六位行政区划代码", "320571"),
            wide(col("地区名称", &["name"], Text, true, "地区名称", "苏州工业园区"), 24.0),
        ],
    },
    Sheet {
        name: "能力目录",
        shape: Shape::Records {
            array: "capabilities",
        },
        optional: true,
        about: "能力目录（可选）：每行一个能力代码及其中文名称；列表与图中以名称显示能力。",
        columns: &[
            wide(col("能力代码", &["code"], Id, true, "能力代码：要素:对象", "testing:thermal-runaway"), 28.0),
            wide(col("能力名称", &["name"], Text, true, "能力的中文名称", "热失控测试"), 24.0),
            wide(col("相关标准", &["standards"], List, false, "相关标准编号，多个用“；”分隔", "GB 38031-2020"), 28.0),
            wide(col("说明", &["description"], Text, false, "能力的说明", "电池热失控与热扩散试验"), 32.0),
        ],
    },
    Sheet {
        name: "产业链",
        shape: Shape::Records { array: "chains" },
        optional: false,
        about: "产业链：每行一条链。",
        columns: &[
            col("产业链编号", &["id"], Id, true, "产业链的唯一编号", "power-battery"),
            wide(col("产业链名称", &["name"], Text, true, "产业链名称", "动力电池产业链"), 24.0),
            col("链长", &["chief"], Text, false, "链长（负责的领导或部门）", "省工信厅"),
        ],
    },
    Sheet {
        name: "环节",
        shape: Shape::Nested {
            parent: "chains",
            key: "id",
            field: "segments",
            keep_empty: always,
        },
        optional: false,
        about: "产业链的环节：每行一个环节，同一条链的环节按行的先后从上游到下游排列。",
        columns: &[
            col("产业链编号", &[], Id, true, "环节所属产业链的编号（产业链表中）", "power-battery"),
            col("环节编号", &["id"], Id, true, "环节在链内的唯一编号", "cell"),
            wide(col("环节名称", &["name"], Text, true, "环节名称", "电芯制造"), 24.0),
        ],
    },
    Sheet {
        name: "企业与机构",
        shape: Shape::Records { array: "organizations" },
        optional: false,
        about: "企业与质量基础设施机构：每行一家。企业的链上身份填在“链上成员”表，机构的服务能力填在“能力”表。",
        columns: &[
            col("编号", &["id"], Id, true, "企业或机构的唯一编号", "catl"),
            wide(col("名称", &["name"], Text, true, "企业或机构全称", "宁德时代新能源科技股份有限公司"), 32.0),
            col("类型", &["kind"], Enum(ORG_KINDS), true, "企业，或机构的类型", "企业"),
            col("地区代码", &["region"], Region, false, "所在地六位行政区划代码；境内企业与所有机构必填", "350902"),
            col("境外", &["foreign"], Bool, false, "是否境外企业（机构不可为境外）", "否"),
            col("国家或地区", &["country"], Text, false, "境外企业所在国家或地区", "日本"),
            col("机构级别", &["level"], Enum(LEVELS), false, "机构的级别；机构必填，企业不填", "省级"),
        ],
    },
    Sheet {
        name: "链上成员",
        shape: Shape::Nested {
            parent: "organizations",
            key: "id",
            field: "chains",
            keep_empty: never,
        },
        optional: false,
        about: "企业在产业链上的身份：每行一家企业在一条链上的角色与环节。",
        columns: &[
            col("企业编号", &[], Id, true, "企业的编号（企业与机构表中）", "catl"),
            col("产业链编号", &["chain"], Id, true, "产业链编号", "power-battery"),
            col("角色", &["role"], Enum(ROLES), true, "链主或链员", "链主"),
            col("环节编号", &["segment"], Id, true, "企业所在环节的编号", "cell"),
        ],
    },
    Sheet {
        name: "能力",
        shape: Shape::Nested {
            parent: "organizations",
            key: "id",
            field: "capabilities",
            keep_empty: is_provider,
        },
        optional: false,
        about: "机构提供的服务能力：每行一项能力。",
        columns: &[
            col("机构编号", &[], Id, true, "机构的编号（企业与机构表中）", "jsqi"),
            wide(col("能力代码", &["code"], Id, true, "能力代码：要素:对象（要素为 metrology、testing、standard、certification、rd）", "testing:thermal-runaway"), 28.0),
            col("服务容量", &["capacity"], Integer, false, "每年可服务的企业数（正整数），不填为不限", "12"),
        ],
    },
    Sheet {
        name: "供应关系",
        shape: Shape::Records { array: "supplies" },
        optional: false,
        about: "企业之间的供应关系：每行一条，供方把某种零部件供给需方。",
        columns: &[
            col("产业链编号", &["chain"], Id, true, "供应关系所在产业链", "power-battery"),
            col("供方编号", &["from"], Id, true, "供货企业的编号", "senior"),
            col("需方编号", &["to"], Id, true, "收货企业的编号", "catl"),
            wide(col("零部件", &["part"], Text, true, "所供零部件或材料", "隔膜"), 20.0),
        ],
    },
    Sheet {
        name: "问题",
        shape: Shape::Records { array: "problems" },
        optional: false,
        about: "企业提出的质量问题（需求）：每行一个。",
        columns: &[
            col("问题编号", &["id"], Id, true, "问题的唯一编号", "p-001"),
            col("企业编号", &["org"], Id, true, "提出问题的企业", "catl"),
            col("产业链编号", &["chain"], Id, true, "问题所在产业链", "power-battery"),
            wide(col("问题标题", &["title"], Text, true, "问题的简要描述", "电芯热失控检测能力不足"), 32.0),
            col("问题类别", &["category"], Enum(CATEGORIES), true, "问题类别", "检不了"),
            col("严重程度", &["severity"], Integer, true, "1（轻）到 5（重）", "4"),
            col("状态", &["status"], Enum(STATUSES), true, "处理状态", "待解决"),
            wide(col("所需能力", &["needs"], List, false, "解决问题所需的能力代码，多个用“；”分隔", "testing:thermal-runaway；metrology:cell-voltage"), 36.0),
            col("披露范围", &["disclosure"], Enum(DISCLOSURES), false, "除本企业与监管部门外谁可查看：不填为不公开；对下游客户（其客户直至链主）；对全链", "对下游客户"),
        ],
    },
    Sheet {
        name: "项目",
        shape: Shape::Records { array: "projects" },
        optional: false,
        about: "质量攻关项目：每行一个。成果三列任一列有值即记为有成果。",
        columns: &[
            col("项目编号", &["id"], Id, true, "项目的唯一编号", "prj-2025-01"),
            wide(col("项目名称", &["title"], Text, true, "项目名称", "动力电池热失控检测方法攻关"), 32.0),
            col("项目类别", &["category"], Enum(PROJECT_CATEGORIES), true, "项目类别", "共性技术攻关"),
            col("产业链编号", &["chain"], Id, true, "项目所在产业链", "power-battery"),
            col("牵头企业编号", &["lead"], Id, true, "牵头企业", "catl"),
            wide(col("参与单位编号", &["participants"], List, false, "参与的企业或机构，多个用“；”分隔", "senior；jsqi"), 24.0),
            wide(col("攻关问题编号", &["problems"], List, false, "项目攻关的问题，多个用“；”分隔", "p-001"), 24.0),
            col("年度", &["year"], Integer, true, "立项（或申报）年度", "2025"),
            col("项目状态", &["status"], Enum(PROJECT_STATUSES), true, "项目状态", "在研"),
            col("成果水平", &["level"], Enum(PROJECT_LEVELS), false, "验收后的成果水平（仅验收项目）", "国内领先"),
            col("联合体编号", &["consortium"], Id, false, "承担项目的质量创新联合体", "cons-battery"),
            col("专利数", &["results", "patents"], Integer, false, "成果：专利数", "3"),
            col("标准数", &["results", "standards"], Integer, false, "成果：标准数", "1"),
            wide(col("成果摘要", &["results", "summary"], Text, false, "成果：摘要", "建立热失控检测方法"), 32.0),
        ],
    },
    Sheet {
        name: "联合体",
        shape: Shape::Records { array: "consortia" },
        optional: false,
        about: "质量创新联合体：每行一个。",
        columns: &[
            col("联合体编号", &["id"], Id, true, "联合体的唯一编号", "cons-battery"),
            wide(col("联合体名称", &["name"], Text, true, "联合体名称", "动力电池质量创新联合体"), 28.0),
            col("产业链编号", &["chain"], Id, true, "联合体所在产业链", "power-battery"),
            col("牵头企业编号", &["lead"], Id, true, "牵头企业", "catl"),
            wide(col("成员编号", &["members"], List, false, "成员企业或机构，多个用“；”分隔", "senior；jsqi"), 24.0),
            col("成立年份", &["founded"], Integer, true, "成立年份", "2023"),
        ],
    },
    Sheet {
        name: "政策工具",
        shape: Shape::Records { array: "policy_tools" },
        optional: false,
        about: "政府提供的政策工具：每行一项。",
        columns: &[
            col("政策编号", &["id"], Id, true, "政策工具的唯一编号", "pol-js-01"),
            wide(col("政策名称", &["title"], Text, true, "政策名称", "质量基础设施一站式服务补助"), 32.0),
            col("政策类型", &["kind"], Enum(POLICY_KINDS), true, "政策类型", "资金支持"),
            col("发布单位", &["issuer"], Text, true, "发布单位", "江苏省市场监管局"),
            col("适用地区", &["region"], Region, true, "适用地区代码：2 位（省）、4 位（市）或 6 位", "32"),
            col("年度", &["year"], Integer, true, "发布年度", "2025"),
            wide(col("质量要素", &["elements"], EnumList(ELEMENTS), false, "政策支持的质量要素，多个用“；”分隔", "计量；检验检测"), 24.0),
            wide(col("问题类别", &["categories"], EnumList(CATEGORIES), false, "政策针对的问题类别，多个用“；”分隔", "测不准；检不了"), 24.0),
            wide(col("缺口类型", &["gaps"], EnumList(GAPS), false, "政策弥补的缺口，多个用“；”分隔", "能力缺口"), 20.0),
            wide(col("适用产业链", &["chains"], List, false, "只适用于这些产业链（不填为全部），多个用“；”分隔", "power-battery"), 24.0),
        ],
    },
    Sheet {
        name: "年度目标",
        shape: Shape::Records { array: "goals" },
        optional: false,
        about: "地区的年度目标：每行一个地区一年。三类项目数目标不填为无目标。",
        columns: &[
            col("目标编号", &["id"], Id, true, "目标的唯一编号", "goal-js-2025"),
            col("地区代码", &["region"], Region, true, "地区代码：2 位（省）、4 位（市）或 6 位", "32"),
            col("年度", &["year"], Integer, true, "目标年度", "2025"),
            col("产业链协同提升项目数", &["targets", "chain_collaboration"], Integer, false, "目标：产业链协同提升项目数", "2"),
            col("共性技术攻关项目数", &["targets", "common_technology"], Integer, false, "目标：共性技术攻关项目数", "3"),
            col("重点产品攻关项目数", &["targets", "key_product"], Integer, false, "目标：重点产品攻关项目数", "1"),
            col("国际水平成果占比", &["international_share"], Number, false, "目标：验收项目中国际水平成果的占比（0 到 1）", "0.3"),
        ],
    },
    Sheet {
        name: "质量通报",
        shape: Shape::Records { array: "notices" },
        optional: true,
        about: "质量通报（可选）：每行一条，由系统发出时记录；接收方见“通报接收方”表。确认记录不在表格中。",
        columns: &[
            col("通报编号", &["id"], Id, true, "通报的唯一编号", "nt-1"),
            col("产业链编号", &["chain"], Id, true, "通报所在产业链", "power-battery"),
            col("企业编号", &["about", "firm"], Id, true, "通报所涉企业", "senior"),
            col("零部件", &["about", "part"], Text, false, "所涉零部件（不填为全部）", "隔膜"),
            col("问题编号", &["about", "problem"], Id, false, "所涉问题", "p-001"),
            col("通报类型", &["kind"], Enum(NOTICE_KINDS), true, "通报类型", "缺陷"),
            col("严重程度", &["severity"], Integer, true, "1（轻）到 5（重）", "4"),
            wide(col("通报内容", &["message"], Text, true, "通报内容", "批次 B-17 隔膜厚度超差"), 32.0),
            col("通报方向", &["direction"], Enum(DIRECTIONS), true, "向下游、向上游或上下游", "向下游"),
            col("发送方", &["sender"], Id, true, "发送的企业编号或监管账号", "senior"),
            col("发送时间", &["sent_at"], Integer, true, "发送时间（Unix 秒）", "1767225600"),
        ],
    },
    Sheet {
        name: "通报接收方",
        shape: Shape::Nested {
            parent: "notices",
            key: "id",
            field: "recipients",
            keep_empty: always,
        },
        optional: true,
        about: "质量通报的接收方：每行一个，发出时由供应关系算出。",
        columns: &[
            col("通报编号", &[], Id, true, "接收方所属通报的编号（质量通报表中）", "nt-1"),
            col("接收单位编号", &["org"], Id, true, "接收通报的企业", "catl"),
            col("关系", &["relation"], Enum(RELATIONS), true, "直接客户、受波及企业或直接供应商", "直接客户"),
            col("链主", &["master"], Bool, false, "接收方是否为该链链主", "是"),
        ],
    },
];

/// The sheet named `name`.
pub fn sheet(name: &str) -> Option<&'static Sheet> {
    SHEETS.iter().find(|s| s.name == name)
}

/// The code of `text` in an enumeration: the code itself or its Chinese label.
pub fn enum_code(table: &[(&'static str, &'static str)], text: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(code, label)| *code == text || *label == text)
        .map(|(code, _)| *code)
}

/// The Chinese label of an enumeration's code.
pub fn enum_label(table: &[(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// Splits a list cell at `；` and `;`; whitespace around items is dropped, and so are empty items.
pub fn split_list(text: &str) -> Vec<&str> {
    text.split(['；', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The column letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(mut index: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII")
}

/// `问题!F17`: a sheet, a 0-based column and a 1-based row.
pub fn cell_ref(sheet: &str, column: u32, row: u32) -> String {
    format!("{sheet}!{}{row}", column_letters(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enumerations_are_the_models() {
        let [kinds, categories, project_categories, project_statuses, project_levels, policy_kinds, elements] =
            model_tables();
        assert_eq!(kinds, ORG_KINDS);
        assert_eq!(categories, CATEGORIES);
        assert_eq!(project_categories, PROJECT_CATEGORIES);
        assert_eq!(project_statuses, PROJECT_STATUSES);
        assert_eq!(project_levels, PROJECT_LEVELS);
        assert_eq!(policy_kinds, POLICY_KINDS);
        assert_eq!(elements, ELEMENTS);
        let [levels, gaps, disclosures] = more_model_tables();
        assert_eq!(
            disclosures,
            DISCLOSURES.iter().map(|(c, _)| *c).collect::<Vec<_>>()
        );
        assert_eq!(levels, LEVELS.iter().map(|(c, _)| *c).collect::<Vec<_>>());
        assert_eq!(gaps, GAPS.iter().map(|(c, _)| *c).collect::<Vec<_>>());
        for (code, label) in GAPS {
            let gap = GapKind::ALL.iter().find(|g| g.as_str() == *code).unwrap();
            assert_eq!(gap.label_zh(), *label);
        }
    }

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(5), "F");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(cell_ref("问题", 5, 17), "问题!F17");
    }

    #[test]
    fn lists_split_at_either_semicolon() {
        assert_eq!(split_list("a；b; c ;"), vec!["a", "b", "c"]);
        assert!(split_list("").is_empty());
    }

    #[test]
    fn every_sheet_and_header_is_unique() {
        let mut names: Vec<_> = SHEETS.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SHEETS.len());
        for s in SHEETS {
            let mut headers: Vec<_> = s.columns.iter().map(|c| c.header).collect();
            headers.sort();
            headers.dedup();
            assert_eq!(headers.len(), s.columns.len(), "{}", s.name);
        }
    }
}
