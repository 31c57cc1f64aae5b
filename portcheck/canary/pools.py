"""Word pools the canary generator draws from: places, names, companies, picklists, note sentences.

Everything here is fictitious. Phone numbers use ranges reserved for fiction where a country has them
(US 555-01xx, UK 020 7946 0xxx); Chinese numbers are random within the real numbering plan.
"""

from __future__ import annotations

# (country, region, city, district/area text, postal code, phone area code (national, with trunk 0) , zone)
# Postal codes starting with 0 are deliberate: they are the leading-zero trap.
CN_PLACES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    # region, city, district, postal, area code, admin division code (USCC digits 3-8), roads
    ("北京市", "北京市", "朝阳区", "100020", "010", "110105", "建国路"),
    ("上海市", "上海市", "浦东新区", "200120", "021", "310115", "世纪大道"),
    ("广东省", "深圳市", "南山区", "518057", "0755", "440305", "深南大道"),
    ("广东省", "广州市", "天河区", "510623", "020", "440106", "天河路"),
    ("浙江省", "杭州市", "西湖区", "310012", "0571", "330106", "文三路"),
    ("江苏省", "南京市", "建邺区", "210019", "025", "320105", "江东中路"),
    ("四川省", "成都市", "武侯区", "610041", "028", "510107", "天府大道"),
    ("内蒙古自治区", "呼和浩特市", "新城区", "010010", "0471", "150102", "新华大街"),
    ("山西省", "太原市", "小店区", "030006", "0351", "140105", "长治路"),
    ("河北省", "石家庄市", "长安区", "050000", "0311", "130102", "中山东路"),
    ("湖北省", "武汉市", "洪山区", "430070", "027", "420111", "珞喻路"),
    ("辽宁省", "大连市", "甘井子区", "116023", "0411", "210211", "黄浦路"),
)

# country, region, city, street template, postal code, national phone pattern, E.164 country code, zone.
# Phone patterns: 'A' = area code as written nationally, '#' = a random digit.
WORLD_PLACES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("US", "MA", "Cambridge", "{n} Massachusetts Ave", "02139", "(617) 555-01##", "America/New_York"),
    ("US", "NY", "New York", "{n} W 34th St", "10001", "(212) 555-01##", "America/New_York"),
    ("US", "NJ", "Jersey City", "{n} Washington Blvd", "07302", "(201) 555-01##", "America/New_York"),
    ("US", "CA", "San Francisco", "{n} Market St", "94105", "(415) 555-01##", "America/Los_Angeles"),
    ("US", "CT", "Hartford", "{n} Main St", "06103", "(860) 555-01##", "America/New_York"),
    ("GB", "England", "London", "{n} Clerkenwell Road", "EC1A 1BB", "020 7946 0###", "Europe/London"),
    ("GB", "England", "Manchester", "{n} Deansgate", "M1 1AE", "0161 496 0###", "Europe/London"),
    ("DE", "Berlin", "Berlin", "Friedrichstraße {n}", "10115", "030 ########", "Europe/Berlin"),
    ("DE", "Sachsen", "Dresden", "Prager Straße {n}", "01067", "0351 #######", "Europe/Berlin"),
    ("DE", "Sachsen", "Leipzig", "Grimmaische Straße {n}", "04109", "0341 #######", "Europe/Berlin"),
    ("JP", "東京都", "千代田区", "丸の内{n}-1-1", "100-0001", "03-####-####", "Asia/Tokyo"),
    ("IN", "Maharashtra", "Mumbai", "{n} Nariman Point", "400001", "022 ########", "Asia/Kolkata"),
    ("NP", "Bagmati", "Kathmandu", "{n} Durbar Marg", "44600", "01-#######", "Asia/Kathmandu"),
    # City names written decomposed (NFD) on purpose: the Unicode-normalisation trap.
    ("CH", "Zürich", "Zürich", "Bahnhofstrasse {n}", "8001", "044 ### ## ##", "Europe/Zurich"),
    ("BR", "SP", "São Paulo", "Avenida Paulista {n}", "01310-100", "(11) 9####-####", "America/Sao_Paulo"),
    ("SE", "Skåne", "Malmö", "Stortorget {n}", "211 22", "040 ## ## ##", "Europe/Stockholm"),
    ("CA", "QC", "Montréal", "{n} Rue Saint-Jacques", "H2Y 1C6", "(514) 555-01##", "America/Toronto"),
)
NFD_CITIES = frozenset({"Zürich", "São Paulo", "Malmö", "Montréal"})

COUNTRY_CODES = {
    "CN": "86",
    "US": "1",
    "GB": "44",
    "DE": "49",
    "JP": "81",
    "IN": "91",
    "NP": "977",
    "CH": "41",
    "BR": "55",
    "SE": "46",
    "CA": "1",
}

# Chinese brand words with their pinyin (for web domains and e-mail addresses).
CN_BRANDS: tuple[tuple[str, str], ...] = (
    ("华腾", "huateng"),
    ("瑞丰", "ruifeng"),
    ("恒信", "hengxin"),
    ("鼎盛", "dingsheng"),
    ("新纪元", "xinjiyuan"),
    ("天宇", "tianyu"),
    ("中科", "zhongke"),
    ("博远", "boyuan"),
    ("金桥", "jinqiao"),
    ("海纳", "haina"),
    ("启明", "qiming"),
    ("卓越", "zhuoyue"),
    ("宏图", "hongtu"),
    ("联创", "lianchuang"),
    ("万通", "wantong"),
    ("东方", "dongfang"),
    ("凯德", "kaide"),
    ("远航", "yuanhang"),
    ("星辰", "xingchen"),
    ("嘉禾", "jiahe"),
)
CN_TRADES: tuple[tuple[str, str], ...] = (
    ("科技", "tech"),
    ("贸易", "trading"),
    ("制造", "mfg"),
    ("物流", "logistics"),
    ("医疗器械", "medical"),
    ("教育咨询", "edu"),
    ("信息技术", "it"),
    ("新能源", "energy"),
    ("餐饮管理", "foods"),
    ("电子", "electronics"),
)
CN_SUFFIXES = ("有限公司", "股份有限公司", "集团有限公司")

EN_BRANDS: tuple[str, ...] = (
    "Northwind",
    "Blue Harbor",
    "Summit",
    "Redwood",
    "Granite",
    "Silverline",
    "Evergreen",
    "Pioneer",
    "Brightwater",
    "Ironbridge",
    "Oakridge",
    "Starlight",
    "Clearview",
    "Highland",
    "Maple",
    "Contoso",
)
EN_TRADES: tuple[str, ...] = (
    "Traders",
    "Logistics",
    "Systems",
    "Analytics",
    "Foods",
    "Medical",
    "Energy",
    "Robotics",
    "Textiles",
    "Capital",
)
EN_SUFFIXES = ("Ltd", "Inc.", "GmbH", "LLC", "Co., Ltd.", "plc")

CN_SURNAMES: tuple[tuple[str, str], ...] = (
    ("张", "zhang"),
    ("王", "wang"),
    ("李", "li"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("欧阳", "ouyang"),
    ("司马", "sima"),
)
CN_GIVEN: tuple[tuple[str, str], ...] = (
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("秀英", "xiuying"),
    ("敏", "min"),
    ("静", "jing"),
    ("磊", "lei"),
    ("强", "qiang"),
    ("洋", "yang"),
    ("艳", "yan"),
    ("勇", "yong"),
    ("军", "jun"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀兰", "xiulan"),
    ("霞", "xia"),
    ("子涵", "zihan"),
    ("浩然", "haoran"),
)
# Given names with characters outside the BMP (CJK Extension B): real in Chinese and Japanese names.
CN_GIVEN_NON_BMP: tuple[tuple[str, str], ...] = (("𠀀明", "yiming"), ("𠮷祥", "jixiang"), ("𪚥文", "zhewen"))
EN_FIRST: tuple[str, ...] = (
    "Emily",
    "James",
    "Sarah",
    "Michael",
    "Anna",
    "David",
    "Laura",
    "Thomas",
    "Sophie",
    "Daniel",
    "Zoë",
    "José",
    "François",
    "Siobhán",
    "Björn",
)
EN_LAST: tuple[str, ...] = (
    "Miller",
    "Smith",
    "Johnson",
    "O'Brien",
    "Müller",
    "García",
    "Dubois",
    "Nguyen",
    "Kowalski",
    "Schmidt",
    "van der Berg",
    "Rossi",
)

OWNERS: tuple[str, ...] = (
    "张伟",
    "李娜",
    "王芳",
    "Emily Chen",
    "James Miller",
    "刘洋",
    "Sarah O'Brien",
    "陈静",
)

# Bilingual picklists: (Chinese, English).
INDUSTRIES = (
    ("制造业", "Manufacturing"),
    ("信息技术", "Information Technology"),
    ("金融", "Financial Services"),
    ("零售", "Retail"),
    ("医疗", "Healthcare"),
    ("教育", "Education"),
    ("物流", "Logistics"),
    ("能源", "Energy"),
)
LEVELS = (
    ("重要客户", "Key account"),
    ("普通客户", "Standard"),
    ("潜在客户", "Prospect"),
    ("战略客户", "Strategic"),
)
STATUSES = (("活跃", "Active"), ("休眠", "Dormant"), ("已流失", "Churned"))
SOURCES = (
    ("展会", "Trade show"),
    ("官网", "Website"),
    ("转介绍", "Referral"),
    ("电话营销", "Cold call"),
    ("广告", "Advertising"),
    ("合作伙伴", "Partner"),
)
TITLES = (
    ("销售总监", "Sales Director"),
    ("采购经理", "Purchasing Manager"),
    ("总经理", "General Manager"),
    ("财务主管", "Finance Lead"),
    ("IT 经理", "IT Manager"),
    ("首席执行官", "CEO"),
    ("行政助理", "Office Assistant"),
)
PRODUCTS = (
    ("ERP 升级", "ERP upgrade"),
    ("CRM 年度订阅", "CRM annual subscription"),
    ("数据中心扩容", "Data centre expansion"),
    ("培训服务", "Training services"),
    ("设备采购", "Equipment purchase"),
    ("云迁移", "Cloud migration"),
)

STAGE_PROBABILITY = {
    "lead": "10",
    "qualification": "20",
    "needs_analysis": "30",
    "proposal": "50",
    "negotiation": "70",
    "won": "100",
    "lost": "0",
}

# Plain note sentences: no commas, quotes, tabs, line breaks or characters outside the BMP.
PLAIN_NOTES_ZH = (
    "客户对报价表示满意",
    "下周安排现场演示",
    "需要财务部门审批",
    "已发送合同草稿",
    "等待对方回复",
    "客户要求延长试用期",
    "关键决策人已确认",
    "竞争对手报价较低",
)
PLAIN_NOTES_EN = (
    "Customer is happy with the quote",
    "Site demo planned next week",
    "Needs sign-off from finance",
    "Draft contract sent",
    "Waiting for their reply",
    "Asked for a longer trial",
    "Decision maker confirmed",
    "Competitor quoted lower",
)

# Sentences long notes are built from: commas, quotes, digits, both scripts.
LONG_SENTENCES = (
    'Met the purchasing team, they asked for a 5% discount on the "premium" tier.',
    "客户表示，预算已经批准，但需要在3月31日前完成“第一阶段”交付。",
    "Follow-up call: the CFO wants a breakdown by region, quarter and product line.",
    "对方IT部门关注数据迁移、接口对接以及权限管理三个方面。",
    "Reminder: send the revised SOW, the NDA and the price sheet (v2.3).",
    "会议纪要：双方同意先试点两个部门，再逐步推广到全公司。",
    'They said "no" to the annual plan, "maybe" to monthly billing.',
    "联系人更换了手机号，新号码请以系统记录为准，勿外传。",
)
# Characters sprinkled into long notes (the BMP-only ones go into the 32,767-character note).
BMP_SYMBOLS = ("☎", "✓", "❤", "★", "→", "©", "€", "¥")
EMOJI = ("😀", "👍", "🎉", "🚀", "📞")
NON_BMP_CJK = ("𠀀", "𠮷", "𪚥", "𡒄")

LF_NOTES = (
    "第一行\n第二行\n\n第四行",
    "Agenda:\n1 pricing\n2 timeline\n3 next steps",
    "地址变更\n请更新发票信息",
)
CRLF_NOTES = (
    "Line one\r\nLine two\r\nLine three",
    "会议纪要\r\n1 确认需求\r\n2 报价",
    "Old system note\r\nexported from Windows",
)
QUOTE_NOTES = (
    'He said "call me after Monday, not before"',
    '报价单写的是"含税，不含运费"',
    'Contact prefers "Bob", not "Robert", in e-mails',
    'Product "X-200", qty 12, 3 sites',
)
TAB_NOTES = ("col A\tcol B\tcol C", "电话\t邮件\t拜访", "Q1\t120\tQ2\t135")
EMOJI_NOTES = (
    "Great call 👍 follow up next week 🎉",
    "客户很满意😀，准备签约🚀",
    "Left a voicemail 📞 no answer",
)
NON_BMP_NOTES = ("客户名称含生僻字𠀀，请勿替换", "联系人姓名为𠮷田，注意字形", "地址中有𪚥字，开票时核对")
FORMULA_NOTES = {
    "=": ("=1+1", "=SUM(A1:A9)", '=HYPERLINK("https://example.com","click")', "=cmd|' /C calc'!A0"),
    "+": ("+1 for renewal", "+86 follow up by phone", "+5% uplift agreed"),
    "-": ("-5% discount approved", "-- internal only --", "-2 seats after renewal"),
    "@": ("@王芳 please review", "@Emily can you call them", "@sales-team FYI"),
}
