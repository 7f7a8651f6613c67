//! The fixed vocabulary of generated datasets: chain themes (segments, parts, capability
//! subjects), GB/T 2260 regions, foreign countries and the pieces of Chinese firm names.
//!
//! Only data lives here; the generator decides how often each item is drawn. Lists of capability
//! subjects are ordered from common to rare, and the **last subject of every list is never
//! offered by any provider**: those codes are the infrastructure gaps a coverage analysis should
//! find.

use super::rng::Rng;
use crate::model::Element;

/// One segment (环节) of a theme: its products are the parts that downstream segments buy.
pub struct SegmentSpec {
    pub id: &'static str,
    pub name: &'static str,
    pub products: &'static [&'static str],
}

/// A kind of industry chain.
pub struct Theme {
    /// Short Chinese name, used in chain and provider names ("动力电池").
    pub name: &'static str,
    /// Seven segments, upstream first; a chain keeps the first, the last and some in between.
    /// The last segment's products are never bought: it holds the chain masters.
    pub segments: [SegmentSpec; 7],
    /// The part that recycling firms of the last segment sell back to the first segment.
    pub recycled_part: &'static str,
    /// Industry words of firm names ("新能源科技").
    pub trade_words: &'static [&'static str],
    /// Capability subjects per element, in `Element::ALL` order, common first, the last never
    /// served.
    pub subjects: [&'static [&'static str]; 5],
}

const fn seg(
    id: &'static str,
    name: &'static str,
    products: &'static [&'static str],
) -> SegmentSpec {
    SegmentSpec { id, name, products }
}

pub const THEMES: [Theme; 6] = [
    Theme {
        name: "动力电池",
        segments: [
            seg(
                "minerals",
                "锂矿资源",
                &["锂精矿", "钴矿", "镍矿", "天然石墨"],
            ),
            seg(
                "chemicals",
                "锂电化学品",
                &["碳酸锂", "氢氧化锂", "硫酸钴", "硫酸镍"],
            ),
            seg(
                "materials",
                "正负极材料",
                &["三元正极材料", "磷酸铁锂", "人造石墨负极", "硅碳负极"],
            ),
            seg(
                "auxiliaries",
                "电池辅材",
                &["隔膜", "电解液", "铜箔", "铝箔"],
            ),
            seg(
                "cells",
                "电芯制造",
                &["方形电芯", "软包电芯", "圆柱电芯", "刀片电芯"],
            ),
            seg(
                "packs",
                "模组与电池包",
                &["电池模组", "电池包", "电池管理系统", "热管理组件"],
            ),
            seg("applications", "整车与储能", &[]),
        ],
        recycled_part: "再生锂盐",
        trade_words: &["新能源科技", "锂电材料", "电池科技", "能源技术", "新材料"],
        subjects: [
            &[
                "电池容量",
                "内阻测量",
                "电解液水分",
                "极片厚度",
                "固态电池界面阻抗",
            ],
            &["电池回收", "梯次利用", "电池包安全", "钠离子电池"],
            &["电芯安全", "热失控", "循环寿命", "隔膜孔隙率", "针刺滥用"],
            &["动力电池安全", "碳足迹", "储能系统", "电池护照"],
            &["固态电解质", "硅碳负极", "快充技术", "无钴正极"],
        ],
    },
    Theme {
        name: "氢能",
        segments: [
            seg(
                "materials",
                "关键材料",
                &["质子交换膜", "铂催化剂", "碳纸", "钛合金板"],
            ),
            seg(
                "production",
                "制氢",
                &["电解槽", "工业副产氢", "绿氢", "纯化装置"],
            ),
            seg(
                "storage",
                "储运",
                &["储氢瓶", "储氢合金", "液氢", "输氢管材"],
            ),
            seg(
                "mea",
                "膜电极与双极板",
                &["膜电极", "石墨双极板", "金属双极板", "气体扩散层"],
            ),
            seg(
                "stacks",
                "电堆",
                &["燃料电池电堆", "氢循环泵", "增湿器", "端板组件"],
            ),
            seg(
                "systems",
                "燃料电池系统",
                &["燃料电池系统", "空压机", "DC-DC变换器", "车载储氢系统"],
            ),
            seg("applications", "燃料电池汽车与加氢站", &[]),
        ],
        recycled_part: "回收铂族金属",
        trade_words: &["氢能科技", "能源装备", "新能源", "燃料电池", "气体"],
        subjects: [
            &["氢气流量", "氢浓度", "高压压力", "氢气露点"],
            &["加氢站安全", "氢气品质", "储氢瓶定期检验", "液氢储运"],
            &[
                "氢气纯度",
                "储氢瓶爆破",
                "电堆耐久",
                "膜电极性能",
                "氢脆敏感性",
            ],
            &["储氢容器", "燃料电池系统", "绿氢认定", "加氢机"],
            &["低铂催化剂", "质子交换膜", "固态储氢", "碱性电解"],
        ],
    },
    Theme {
        name: "光通信",
        segments: [
            seg(
                "preforms",
                "光纤预制棒",
                &["高纯四氯化硅", "光纤预制棒", "石英套管", "锗材料"],
            ),
            seg(
                "fibers",
                "光纤光缆",
                &["单模光纤", "特种光纤", "光缆", "光纤连接器"],
            ),
            seg(
                "chips",
                "光芯片",
                &["激光器芯片", "探测器芯片", "硅光芯片", "调制器芯片"],
            ),
            seg(
                "devices",
                "光器件",
                &["光收发组件", "光隔离器", "光分路器", "波分复用器"],
            ),
            seg(
                "modules",
                "光模块",
                &["光模块", "相干光模块", "有源光缆", "光引擎"],
            ),
            seg(
                "equipment",
                "通信设备",
                &["交换机", "光传输设备", "基站", "路由器"],
            ),
            seg("networks", "网络与数据中心", &[]),
        ],
        recycled_part: "再生石英",
        trade_words: &["光电科技", "光通信", "光电子", "通信技术", "信息科技"],
        subjects: [
            &["光功率", "光波长", "光纤几何参数", "偏振模色散"],
            &["光模块接口", "光缆工程", "硅光器件", "空分复用光纤"],
            &[
                "光纤衰减",
                "光器件可靠性",
                "高速误码",
                "激光器老化",
                "光模块高低温",
            ],
            &[
                "通信设备入网",
                "光器件可靠性认证",
                "数据中心能效",
                "光模块互通",
            ],
            &["硅光集成", "薄膜铌酸锂", "空芯光纤", "量子点激光器"],
        ],
    },
    Theme {
        name: "集成电路",
        segments: [
            seg(
                "materials",
                "半导体材料",
                &["多晶硅", "单晶硅片", "光刻胶", "电子特气"],
            ),
            seg(
                "chemicals",
                "电子化学品与靶材",
                &["湿电子化学品", "溅射靶材", "抛光液", "掩膜版"],
            ),
            seg(
                "equipment",
                "半导体设备",
                &["光刻机", "刻蚀机", "薄膜沉积设备", "清洗设备"],
            ),
            seg(
                "fabs",
                "晶圆制造",
                &["逻辑晶圆", "存储晶圆", "功率器件晶圆", "模拟晶圆"],
            ),
            seg(
                "packaging",
                "封装测试",
                &["封装基板", "引线框架", "封装芯片", "测试服务"],
            ),
            seg(
                "modules",
                "模组与板卡",
                &["存储模组", "控制板卡", "功率模块", "传感器模组"],
            ),
            seg("systems", "整机应用", &[]),
        ],
        recycled_part: "再生晶圆",
        trade_words: &["半导体", "微电子", "集成电路", "芯科技", "电子材料"],
        subjects: [
            &["纳米线宽", "薄膜厚度", "颗粒计数", "套刻精度"],
            &["车规芯片", "电子特气纯度", "先进封装", "芯粒互联"],
            &["芯片可靠性", "静电放电", "晶圆缺陷", "失效分析", "辐射加固"],
            &["车规AEC-Q100", "功能安全", "信息安全芯片", "绿色产品"],
            &["先进制程", "第三代半导体", "先进封装", "EDA工具"],
        ],
    },
    Theme {
        name: "新能源汽车",
        segments: [
            seg(
                "materials",
                "原材料",
                &["汽车钢板", "铝合金锭", "工程塑料", "橡胶"],
            ),
            seg("parts", "基础零部件", &["轴承", "齿轮", "紧固件", "密封件"]),
            seg(
                "electronics",
                "汽车电子",
                &["车规芯片", "传感器", "线束", "域控制器"],
            ),
            seg(
                "powertrain",
                "电驱系统",
                &["驱动电机", "电机控制器", "减速器", "动力电池系统"],
            ),
            seg(
                "chassis",
                "底盘与车身",
                &["车身总成", "底盘总成", "座椅系统", "热管理系统"],
            ),
            seg(
                "intelligent",
                "智能网联",
                &["智能座舱", "自动驾驶系统", "车载通信模块", "高精地图"],
            ),
            seg("vehicles", "整车制造", &[]),
        ],
        recycled_part: "再生铝",
        trade_words: &["汽车零部件", "汽车科技", "智能科技", "机电", "精密制造"],
        subjects: [
            &["扭矩", "三坐标测量", "噪声振动", "电磁兼容场强"],
            &["整车能耗", "智能网联数据", "车路协同", "换电接口"],
            &[
                "整车碰撞",
                "电磁兼容",
                "耐久可靠性",
                "功能安全测试",
                "自动驾驶仿真",
            ],
            &[
                "汽车产品强制性认证",
                "IATF16949",
                "车辆网络安全",
                "软件升级",
            ],
            &["轻量化", "线控底盘", "智能驾驶", "碳化硅电驱"],
        ],
    },
    Theme {
        name: "生物医药",
        segments: [
            seg(
                "chemicals",
                "医药化工原料",
                &["基础化工原料", "医药中间体", "培养基", "药用辅料"],
            ),
            seg(
                "apis",
                "原料药",
                &["化学原料药", "生物原液", "中药提取物", "多肽原料"],
            ),
            seg(
                "packaging",
                "药包材与耗材",
                &["药用玻璃", "预灌封注射器", "一次性生物反应袋", "铝塑包装"],
            ),
            seg(
                "equipment",
                "制药装备",
                &["冻干机", "灌装线", "层析系统", "生物反应器"],
            ),
            seg(
                "cdmo",
                "研发与合同生产",
                &["CDMO服务", "临床前研究", "临床试验服务", "委托检测"],
            ),
            seg(
                "formulations",
                "制剂生产",
                &["片剂", "注射剂", "生物制品", "中成药"],
            ),
            seg("holders", "药品上市许可持有人", &[]),
        ],
        recycled_part: "回收溶剂",
        trade_words: &["生物医药", "制药", "生物科技", "医药科技", "药业"],
        subjects: [
            &["微量天平", "温湿度", "粒度分布", "纯水电导率"],
            &["药用辅料", "细胞治疗", "中药材", "连续制造"],
            &[
                "无菌检查",
                "杂质分析",
                "生物安全",
                "药包材相容性",
                "细胞治疗产品放行",
            ],
            &["GMP符合性", "医疗器械注册", "绿色工厂", "欧盟CEP"],
            &["抗体药物", "mRNA疫苗", "合成生物", "细胞与基因治疗"],
        ],
    },
];

/// Capability subjects every theme shares, in `Element::ALL` order; all of them are served.
pub const GENERIC_SUBJECTS: [&[&str]; 5] = [
    &["几何量", "温度", "压力"],
    &["团体标准", "企业标准领跑者"],
    &["环境可靠性", "材料成分"],
    &["质量管理体系", "环境管理体系"],
    &["数字化转型", "智能制造"],
];

/// The word a catalogue name puts after a subject of `element`: `热失控` → `热失控检测`.
pub fn element_suffix(element: Element) -> &'static str {
    match element {
        Element::Metrology => "计量",
        Element::Standard => "标准",
        Element::Testing => "检测",
        Element::Certification => "认证",
        Element::Rd => "研发",
    }
}

/// The index of `element` in `Element::ALL`, which orders every per-element list here.
pub fn element_index(element: Element) -> usize {
    Element::ALL
        .iter()
        .position(|&e| e == element)
        .expect("Element::ALL holds every element")
}

/// A province (or municipality, or autonomous region) of GB/T 2260.
pub struct Province {
    /// Two-digit prefix, e.g. "32".
    pub code: &'static str,
    pub name: &'static str,
    /// The unit that typically chiefs a chain there (链长单位).
    pub chief: &'static str,
}

/// A prefecture-level city of GB/T 2260.
pub struct City {
    /// Four-digit prefix, e.g. "3205".
    pub code: &'static str,
    pub name: &'static str,
    /// The name used at the start of firm names ("苏州").
    pub short: &'static str,
    /// Relative share of firms located there.
    pub weight: u32,
}

pub const PROVINCES: [Province; 30] = [
    Province {
        code: "11",
        name: "北京市",
        chief: "北京市经济和信息化局",
    },
    Province {
        code: "12",
        name: "天津市",
        chief: "天津市工业和信息化局",
    },
    Province {
        code: "13",
        name: "河北省",
        chief: "河北省工业和信息化厅",
    },
    Province {
        code: "14",
        name: "山西省",
        chief: "山西省工业和信息化厅",
    },
    Province {
        code: "15",
        name: "内蒙古自治区",
        chief: "内蒙古自治区工业和信息化厅",
    },
    Province {
        code: "21",
        name: "辽宁省",
        chief: "辽宁省工业和信息化厅",
    },
    Province {
        code: "22",
        name: "吉林省",
        chief: "吉林省工业和信息化厅",
    },
    Province {
        code: "23",
        name: "黑龙江省",
        chief: "黑龙江省工业和信息化厅",
    },
    Province {
        code: "31",
        name: "上海市",
        chief: "上海市经济和信息化委员会",
    },
    Province {
        code: "32",
        name: "江苏省",
        chief: "江苏省工业和信息化厅",
    },
    Province {
        code: "33",
        name: "浙江省",
        chief: "浙江省经济和信息化厅",
    },
    Province {
        code: "34",
        name: "安徽省",
        chief: "安徽省经济和信息化厅",
    },
    Province {
        code: "35",
        name: "福建省",
        chief: "福建省工业和信息化厅",
    },
    Province {
        code: "36",
        name: "江西省",
        chief: "江西省工业和信息化厅",
    },
    Province {
        code: "37",
        name: "山东省",
        chief: "山东省工业和信息化厅",
    },
    Province {
        code: "41",
        name: "河南省",
        chief: "河南省工业和信息化厅",
    },
    Province {
        code: "42",
        name: "湖北省",
        chief: "湖北省经济和信息化厅",
    },
    Province {
        code: "43",
        name: "湖南省",
        chief: "湖南省工业和信息化厅",
    },
    Province {
        code: "44",
        name: "广东省",
        chief: "广东省工业和信息化厅",
    },
    Province {
        code: "45",
        name: "广西壮族自治区",
        chief: "广西壮族自治区工业和信息化厅",
    },
    Province {
        code: "46",
        name: "海南省",
        chief: "海南省工业和信息化厅",
    },
    Province {
        code: "50",
        name: "重庆市",
        chief: "重庆市经济和信息化委员会",
    },
    Province {
        code: "51",
        name: "四川省",
        chief: "四川省经济和信息化厅",
    },
    Province {
        code: "52",
        name: "贵州省",
        chief: "贵州省工业和信息化厅",
    },
    Province {
        code: "53",
        name: "云南省",
        chief: "云南省工业和信息化厅",
    },
    Province {
        code: "61",
        name: "陕西省",
        chief: "陕西省工业和信息化厅",
    },
    Province {
        code: "62",
        name: "甘肃省",
        chief: "甘肃省工业和信息化厅",
    },
    Province {
        code: "63",
        name: "青海省",
        chief: "青海省工业和信息化厅",
    },
    Province {
        code: "64",
        name: "宁夏回族自治区",
        chief: "宁夏回族自治区工业和信息化厅",
    },
    Province {
        code: "65",
        name: "新疆维吾尔自治区",
        chief: "新疆维吾尔自治区工业和信息化厅",
    },
];

const fn city(code: &'static str, name: &'static str, short: &'static str, weight: u32) -> City {
    City {
        code,
        name,
        short,
        weight,
    }
}

/// Real city codes; county codes are synthesized as city + "01".."12".
pub const CITIES: [City; 114] = [
    city("1101", "北京市市辖区", "北京", 8),
    city("1201", "天津市市辖区", "天津", 5),
    city("1301", "石家庄市", "石家庄", 3),
    city("1302", "唐山市", "唐山", 2),
    city("1303", "秦皇岛市", "秦皇岛", 1),
    city("1304", "邯郸市", "邯郸", 1),
    city("1306", "保定市", "保定", 2),
    city("1401", "太原市", "太原", 2),
    city("1402", "大同市", "大同", 1),
    city("1404", "长治市", "长治", 1),
    city("1501", "呼和浩特市", "呼和浩特", 1),
    city("1502", "包头市", "包头", 2),
    city("1506", "鄂尔多斯市", "鄂尔多斯", 1),
    city("2101", "沈阳市", "沈阳", 3),
    city("2102", "大连市", "大连", 3),
    city("2103", "鞍山市", "鞍山", 1),
    city("2108", "营口市", "营口", 1),
    city("2201", "长春市", "长春", 3),
    city("2202", "吉林市", "吉林", 1),
    city("2301", "哈尔滨市", "哈尔滨", 2),
    city("2302", "齐齐哈尔市", "齐齐哈尔", 1),
    city("2306", "大庆市", "大庆", 1),
    city("3101", "上海市市辖区", "上海", 9),
    city("3201", "南京市", "南京", 5),
    city("3202", "无锡市", "无锡", 5),
    city("3203", "徐州市", "徐州", 2),
    city("3204", "常州市", "常州", 5),
    city("3205", "苏州市", "苏州", 8),
    city("3206", "南通市", "南通", 3),
    city("3207", "连云港市", "连云港", 1),
    city("3209", "盐城市", "盐城", 2),
    city("3210", "扬州市", "扬州", 2),
    city("3211", "镇江市", "镇江", 2),
    city("3301", "杭州市", "杭州", 6),
    city("3302", "宁波市", "宁波", 5),
    city("3303", "温州市", "温州", 3),
    city("3304", "嘉兴市", "嘉兴", 3),
    city("3305", "湖州市", "湖州", 2),
    city("3306", "绍兴市", "绍兴", 2),
    city("3307", "金华市", "金华", 2),
    city("3310", "台州市", "台州", 2),
    city("3401", "合肥市", "合肥", 5),
    city("3402", "芜湖市", "芜湖", 3),
    city("3403", "蚌埠市", "蚌埠", 1),
    city("3405", "马鞍山市", "马鞍山", 1),
    city("3418", "宣城市", "宣城", 1),
    city("3501", "福州市", "福州", 3),
    city("3502", "厦门市", "厦门", 3),
    city("3505", "泉州市", "泉州", 3),
    city("3509", "宁德市", "宁德", 2),
    city("3601", "南昌市", "南昌", 2),
    city("3604", "九江市", "九江", 1),
    city("3608", "吉安市", "吉安", 1),
    city("3609", "宜春市", "宜春", 2),
    city("3701", "济南市", "济南", 4),
    city("3702", "青岛市", "青岛", 5),
    city("3703", "淄博市", "淄博", 2),
    city("3706", "烟台市", "烟台", 3),
    city("3707", "潍坊市", "潍坊", 2),
    city("3710", "威海市", "威海", 1),
    city("4101", "郑州市", "郑州", 4),
    city("4103", "洛阳市", "洛阳", 2),
    city("4107", "新乡市", "新乡", 1),
    city("4110", "许昌市", "许昌", 1),
    city("4201", "武汉市", "武汉", 5),
    city("4202", "黄石市", "黄石", 1),
    city("4205", "宜昌市", "宜昌", 2),
    city("4206", "襄阳市", "襄阳", 2),
    city("4301", "长沙市", "长沙", 4),
    city("4302", "株洲市", "株洲", 2),
    city("4303", "湘潭市", "湘潭", 1),
    city("4304", "衡阳市", "衡阳", 1),
    city("4401", "广州市", "广州", 7),
    city("4403", "深圳市", "深圳", 9),
    city("4404", "珠海市", "珠海", 2),
    city("4406", "佛山市", "佛山", 5),
    city("4407", "江门市", "江门", 2),
    city("4413", "惠州市", "惠州", 3),
    city("4419", "东莞市", "东莞", 6),
    city("4420", "中山市", "中山", 2),
    city("4501", "南宁市", "南宁", 2),
    city("4502", "柳州市", "柳州", 2),
    city("4503", "桂林市", "桂林", 1),
    city("4601", "海口市", "海口", 1),
    city("4602", "三亚市", "三亚", 1),
    city("5001", "重庆市市辖区", "重庆", 6),
    city("5101", "成都市", "成都", 6),
    city("5103", "自贡市", "自贡", 1),
    city("5104", "攀枝花市", "攀枝花", 1),
    city("5106", "德阳市", "德阳", 2),
    city("5107", "绵阳市", "绵阳", 2),
    city("5111", "乐山市", "乐山", 1),
    city("5201", "贵阳市", "贵阳", 2),
    city("5203", "遵义市", "遵义", 1),
    city("5301", "昆明市", "昆明", 2),
    city("5303", "曲靖市", "曲靖", 1),
    city("5304", "玉溪市", "玉溪", 1),
    city("6101", "西安市", "西安", 5),
    city("6103", "宝鸡市", "宝鸡", 2),
    city("6104", "咸阳市", "咸阳", 1),
    city("6106", "延安市", "延安", 1),
    city("6108", "榆林市", "榆林", 2),
    city("6201", "兰州市", "兰州", 2),
    city("6203", "金昌市", "金昌", 1),
    city("6301", "西宁市", "西宁", 1),
    city("6401", "银川市", "银川", 1),
    city("6402", "石嘴山市", "石嘴山", 1),
    city("6501", "乌鲁木齐市", "乌鲁木齐", 2),
    city("6502", "克拉玛依市", "克拉玛依", 1),
    city("3208", "淮安市", "淮安", 1),
    city("3212", "泰州市", "泰州", 2),
    city("3213", "宿迁市", "宿迁", 1),
    city("3605", "新余市", "新余", 1),
    city("4408", "湛江市", "湛江", 1),
];

/// A foreign country firms may come from.
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    pub name: &'static str,
    /// The legal-form word ending the Chinese rendering of a firm name.
    pub legal_form: &'static str,
    pub weight: u32,
}

pub const COUNTRIES: [Country; 7] = [
    Country {
        code: "JP",
        name: "日本",
        legal_form: "株式会社",
        weight: 6,
    },
    Country {
        code: "KR",
        name: "韩国",
        legal_form: "株式会社",
        weight: 4,
    },
    Country {
        code: "DE",
        name: "德国",
        legal_form: "股份公司",
        weight: 4,
    },
    Country {
        code: "US",
        name: "美国",
        legal_form: "公司",
        weight: 5,
    },
    Country {
        code: "FR",
        name: "法国",
        legal_form: "集团公司",
        weight: 2,
    },
    Country {
        code: "CL",
        name: "智利",
        legal_form: "矿业公司",
        weight: 1,
    },
    Country {
        code: "AU",
        name: "澳大利亚",
        legal_form: "有限公司",
        weight: 1,
    },
];

/// Characters of trade names (字号); two of them make one.
pub const TRADE_NAME_CHARS: &str = "恒达瑞华盛鑫源宏泰康嘉信诚德立昌隆兴通海天远博新创汇金宝安中合正永明光润丰凯旭晨星宇辰峰力锐捷协联众宁和美佳顺威腾飞奥骏卓越欣祥福鸿浩杰俊云龙江山川航晶亿尚";

/// Indexes over the region tables, built once per generation.
pub(super) struct Atlas {
    city_weights: Vec<u32>,
    country_weights: Vec<u32>,
    /// City indices of each province, in `PROVINCES` order.
    province_cities: Vec<Vec<usize>>,
    /// The county-level GB/T 2260 codes of each city, by the city's four digits.
    counties: std::collections::HashMap<&'static str, Vec<&'static str>>,
    trade_chars: Vec<char>,
}

impl Atlas {
    pub fn new() -> Atlas {
        Atlas {
            city_weights: CITIES.iter().map(|c| c.weight).collect(),
            country_weights: COUNTRIES.iter().map(|c| c.weight).collect(),
            province_cities: PROVINCES
                .iter()
                .map(|p| {
                    (0..CITIES.len())
                        .filter(|&c| CITIES[c].code.starts_with(p.code))
                        .collect()
                })
                .collect(),
            counties: CITIES
                .iter()
                .map(|c| {
                    let counties = crate::model::divisions::within(c.code)
                        .iter()
                        .map(|d| d.code)
                        .filter(|code| !code.ends_with("00"))
                        .collect();
                    (c.code, counties)
                })
                .collect(),
            trade_chars: TRADE_NAME_CHARS.chars().collect(),
        }
    }

    /// A city drawn by its weight.
    pub fn random_city(&self, rng: &mut Rng) -> &'static City {
        &CITIES[rng.weighted(&self.city_weights)]
    }

    /// A city of province `p` (an index into `PROVINCES`), uniformly.
    pub fn city_in_province(&self, rng: &mut Rng, p: usize) -> &'static City {
        &CITIES[*rng.pick(&self.province_cities[p])]
    }

    /// A six-digit county-level code in `city`, a real GB/T 2260 division (the city's own code
    /// for a city without counties, such as 东莞市).
    pub fn county(&self, rng: &mut Rng, city: &City) -> String {
        match self.counties.get(city.code) {
            Some(counties) if !counties.is_empty() => {
                counties[rng.below(counties.len())].to_string()
            }
            _ => format!("{}00", city.code),
        }
    }

    pub fn random_country(&self, rng: &mut Rng) -> &'static Country {
        &COUNTRIES[rng.weighted(&self.country_weights)]
    }

    /// A two-character trade name (字号) of distinct characters.
    pub fn trade_name(&self, rng: &mut Rng) -> String {
        let n = self.trade_chars.len();
        let first = rng.below(n);
        let second = (first + 1 + rng.below(n - 1)) % n;
        [self.trade_chars[first], self.trade_chars[second]]
            .iter()
            .collect()
    }

    /// The city and province of a six-digit code from these tables.
    pub fn place_of(&self, code: &str) -> (&'static City, &'static Province) {
        let city = CITIES
            .iter()
            .find(|c| code.starts_with(c.code))
            .expect("generated regions come from CITIES");
        let province = PROVINCES
            .iter()
            .find(|p| code.starts_with(p.code))
            .expect("every city lies in a listed province");
        (city, province)
    }
}

impl City {
    /// The name that reads well before an institution's name: the province's name for the
    /// districts of a municipality ("上海市", not "上海市市辖区").
    pub fn label(&self, province: &Province) -> &'static str {
        if self.name.ends_with("市辖区") {
            province.name
        } else {
            self.name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn region_tables_are_consistent() {
        let provinces: BTreeSet<&str> = PROVINCES.iter().map(|p| p.code).collect();
        assert_eq!(provinces.len(), PROVINCES.len());
        let cities: BTreeSet<&str> = CITIES.iter().map(|c| c.code).collect();
        assert_eq!(cities.len(), CITIES.len(), "city codes are unique");
        for c in &CITIES {
            assert_eq!(c.code.len(), 4);
            assert!(
                provinces.contains(&c.code[..2]),
                "{} has a province",
                c.code
            );
            assert!(c.name.starts_with(c.short), "{} / {}", c.name, c.short);
        }
        for p in &PROVINCES {
            assert!(
                CITIES.iter().any(|c| c.code.starts_with(p.code)),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn themes_have_distinct_parts_and_well_formed_subjects() {
        for theme in &THEMES {
            let mut parts = BTreeSet::new();
            for (i, s) in theme.segments.iter().enumerate() {
                assert_eq!(s.products.is_empty(), i == 6, "{}: {}", theme.name, s.id);
                for p in s.products {
                    assert!(parts.insert(*p), "{}: part {p} repeats", theme.name);
                }
            }
            assert!(!parts.contains(theme.recycled_part));
            for list in theme.subjects.iter().chain(GENERIC_SUBJECTS.iter()) {
                assert!(list.len() >= 2);
                for s in *list {
                    assert!(!s.is_empty() && !s.chars().any(char::is_whitespace), "{s}");
                }
            }
        }
    }

    #[test]
    fn trade_names_are_two_distinct_characters() {
        let atlas = Atlas::new();
        let mut rng = Rng::new(9, 0);
        for _ in 0..1000 {
            let name: Vec<char> = atlas.trade_name(&mut rng).chars().collect();
            assert_eq!(name.len(), 2);
            assert_ne!(name[0], name[1]);
        }
    }
}
