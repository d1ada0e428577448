"""One catalogue of every problem wugu reports: code, message template, fix hint.

Each message reads "where → what is wrong → how to fix". Tests assert on codes, never on copied strings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .escape import terminal

#: code → (short Chinese message template, fix hint template). Templates use str.format fields.
CATALOGUE: dict[str, tuple[str, str]] = {
    # E1xx: reading the file
    "E101": ("YAML 语法错误：{detail}", "检查这一行和上一行的缩进、冒号和引号；冒号后面要有一个空格"),
    "E102": ("键“{key}”重复出现（第 {first} 行已经写过）", "删除其中一个，或把两处内容合并到一起"),
    "E103": ("不允许的标签“{tag}”", "删除以 ! 开头的标签；wugu 只接受普通的文字、数字、列表和键值"),
    "E104": ("别名（*引用）展开过多，超过 {limit} 个值", "不要用 & 和 * 反复引用同一段内容，直接把内容写出来"),
    "E105": ("这里有 Tab 制表符", "YAML 只能用空格缩进和分隔：把 Tab 换成空格（缩进建议每级 2 个空格）"),
    "E106": ("文件是空的", "填写内容，或者删除这个文件"),
    "E107": ("文件不是 UTF-8 编码{guess}", "用记事本打开后选“另存为”，编码选“UTF-8”再保存；VS Code 右下角点编码，选“通过编码保存”→ UTF-8"),
    "E108": ("文件最外层应该是“键: 值”的形式，实际是{actual}", "按 schemas/ 里的格式，从“id: …”这样的键开始写"),
    "E110": ("“{key}”后面用了中文冒号“：”", "键后面要用英文冒号加一个空格，例如“{key}: …”（切换到英文输入法再输入冒号）"),
    "E111": ("“{key}”后面的冒号后少了空格", "在冒号后面加一个空格，例如“{key}: …”"),
    "E109": ("读取文件失败：{detail}", "确认文件存在、可以读取"),
    # E112–E129 (hardening): reading files safely
    "E112": ("嵌套层数太多（超过 {limit} 层）", "手册文件不需要这么多层的列表或括号：检查是否多写了 [ 或 {{，或把内容拆平"),
    "E113": ("链接“{link}”指向手册目录以外（{target}）", "手册只能使用目录里的文件：删除这个链接，把需要的文件复制进来"),
    "E114": ("链接“{link}”{what}", "删除这个链接，或让它指向手册目录里存在的文件"),
    "E115": ("“{value}”不能按标签“{tag}”读成一个值", "删掉以 !! 开头的标签，直接写普通的文字或数字"),
    # E116–E129 (hardening, second round): what the loader still let through
    "E116": ("文字里有不能出现的字符 {char}（{what}）", "删掉这个字符；双引号里的 \\0、\\x1b、\\ud800 这类转义也会产生它，改成普通文字"),
    "E117": ("“{name}”是一个{what}，不是 YAML 文件，wugu 不会读它", "把它改名（不要以 .yml 结尾），或移出这个目录；内容要写在 .yml 文件里"),
    "E118": ("这里写了标签“!!timestamp”，wugu 不按标签读日期和时间", "删掉“!!timestamp”：日期直接写成 2026-01-05，文字直接写"),
    # E119–E129 (hardening, third round): spreadsheets that would take the machine down
    "E119": ("这个 Excel 文件太大，wugu 不读它：{what}，超过上限 {limit}", "一个县的记录用不了这么大的文件：检查是否多填了无关内容（图片、巨大的格子），在 Excel 或 WPS 里删掉后另存为 .xlsx；或把记录分成几个文件"),
    "E120": ("工作表“{sheet}”的数据超过 {limit} 行，后面的行 wugu 不读", "一个县的一种表格用不了这么多行：检查是否有误填在很远处的格子，删掉多余的行；记录确实很多就分成几个文件"),
    # E121–E139 (hardening, fourth round): sizes a pull request could blow up
    "E121": ("文件有 {size}，超过上限 {limit}：wugu 不读这么大的文件", "手册的一个文件只有几十 KB：检查是否误粘贴了大量内容，或把内容拆成几个文件"),
    "E122": ("手册目录里的内容文件太多：{what}，超过上限 {limit}", "检查是否误把大量文件复制进了内容目录（regulations/、forms/、questions/ 等），删掉多余的文件"),
    # E211–E219 (hardening, second round): hand-written pages under site/ and the office phone
    "E211": ("手写页面里有不允许的 HTML：{what}", "网站上的页面不能带脚本、事件处理（onclick=…）、javascript: 链接或嵌入的外部页面：删掉这一处，用普通的 Markdown 写"),
    "E212": ("页面开头的设置“{key}”{what}", "{fix}"),
    "E213": ("“{name}”{what}", "{fix}"),
    "E214": ("办公电话“{masked}”像是手机号：contact.phone 只能写公开的办公座机", "写单位的座机号码，例如 0539-1234567；个人手机号不能发布在网站和表格上"),
    # E215–E229 (hardening, fourth round): a valid but enormous form, pack or list, refused before anything is rendered
    "E215": ("这个列表有 {count} 项，超过上限 {limit} 项", "手册里的列表用不了这么多项：检查是否误粘贴了重复的内容，或把内容拆到几个文件里"),
    "E216": ("表格“{form}”{what}，超过上限 {limit}（{counted}）：纸上印不下，生成也会很慢", "把表格拆成两张，或减少空白行数、列数和栏目；长的说明放到制度或实用指南里"),
    "E217": ("表格包“{pack}”约有 {count} 页，超过上限 {limit} 页", "把它拆成几个表格包，每个包只放同一类人同时要用的表格和制度"),
    "E218": ("事实【{name}】把引用的事实都填进去以后有 {size} 个字，超过 {limit} 个字", "事实写一句具体的话；不要层层引用别的事实，更不要一个值里反复引用同一个事实"),
    "E219": ("这段文字把事实都填进去以后有 {size} 个字，超过 {limit} 个字", "少引用几次事实，或把这段拆成几段；事实本身要短"),
    # E2xx: schema
    "E201": ("不认识的键“{key}”", "{suggestion}"),
    "E202": ("缺少必填项“{key}”（{title}）", "在这里添加一行“{key}: …”"),
    "E203": ("“{key}”应该是{expected}，实际写的是{actual}", "{fix}"),
    "E204": ("“{key}”的值“{value}”不在允许范围内", "只能写以下之一：{allowed}"),
    "E205": ("“{key}”的格式不对：{value}", "{fix}"),
    "E206": ("“{key}”{what}", "{fix}"),
    "E207": ("“{key}”：{detail}", "{fix}"),
    # E208–E219 (hardening): what the schema cannot say alone
    "E208": ("“{key}”的日期“{value}”不存在（这个月没有这一天）", "写一个真实的日期，格式是 年-月-日，例如 2026-02-28"),
    "E209": ("表格“{form}”一共有 {count} 个栏目，超过 {limit} 个，纸上放不下", "把表格拆成两张，或删掉不必要的栏目"),
    "E210": ("{kind}名称“{title}”和 {other} 重复", "给其中一个换个名称：网站的导航、下载链接和表格包目录要靠名称区分"),
    # E3xx: across files
    "E301": ("编号“{id}”重复（{other} 也用了这个编号）", "给其中一个换一个没有用过的编号"),
    "E302": ("引用了不存在的{kind}“{id}”", "{fix}"),
    "E303": ("{kind}的序号不连续：缺少第 {missing} 号", "把序号改成从 1 开始连续编号，不要跳号"),
    "E304": ("{kind}的序号 {number} 重复（{other} 也是第 {number} 号）", "给其中一个改成没有用过的序号"),
    "E305": ("编号“{id}”与序号 {number} 不一致", "把编号改成“{expected}”，或改正序号"),
    "E306": ("{what}", "{fix}"),
    # E330–E339: practice guides (guides/*.yml) and what they link to
    "E330": ("指南引用了不存在的编号“{id}”", "{fix}"),
    "E331": ("指南引用了{title}的第 {clause} 条，但这项制度只有 {count} 条", "改成 1 到 {count} 之间的条款号，例如“{id}#{count}”；不指明条款时只写“{id}”"),
    "E332": ("指南引用的{kind}“{id}”后面写了“#{clause}”，只有制度可以指明条款", "删掉“#{clause}”，只写“{id}”"),
    # E340–E359 (W340–W359 warnings): the training question bank, questions/ — the training helper's group
    "E340": ("答案“{answer}”不在选项里：这道题只有 {count} 个选项（A 到 {last}）", "把答案改成 A 到 {last} 之间的字母，或者补上缺的选项"),
    "E341": ("{kind}只能有一个正确答案，这里写了 {count} 个", "写一个字母，例如 answer: B；确实有几个正确答案的，把 type 改成 multiple（多选题）"),
    "E342": ("多选题要有至少两个、又不是全部选项都对的答案，这里 {options} 个选项里写了 {count} 个", "只有一个正确答案的改成单选题（type: single）；全部都对的，把其中一项改写成志愿者常犯的错误做法"),
    "E343": ("{what}", "{fix}"),
    "E344": ("“{ref}”引用的条款不存在：制度 {id} 只有 {count} 条，没有第 {clause} 条", "改成 {id}.1 到 {id}.{count} 之间的条款"),
    "E345": ("这道题和 {other} 重复（去掉空格和标点后情景和题干相同）", "删掉其中一道，或者改写成考另一个要点的题"),
    "E346": ("选项 {b} 和选项 {a} 相同（去掉空格和标点后）", "改写其中一项，写另一种志愿者常犯的错误做法"),
    "E347": ("选项“{option}”离开原来的位置就说不通", "试卷会打乱选项顺序：把“以上都对”“A 和 B”之类的选项改写成具体的做法"),
    "E348": ("红线 {id}（{rule}）只有 {count} 道题考它，红线至少要 2 道", "在 questions/ 里再写 {need} 道题，tests 里写上 {id}"),
    "E349": ("规范 {id}（{rule}）还没有题考它，每条规范至少要 1 道", "在 questions/ 里写一道题，tests 里写上 {id}"),
    "E350": ("制度 {id}《{title}》的条款只有 {count} 道题考，每项制度至少要 2 道", "在 questions/ 里再写 {need} 道题，tests 里写上它的条款，例如 {id}.1"),
    "W351": ("题 {id} 考的 {ref} 在这道题上次复核之后改了文字", "对照现在的 {ref} 看一遍题干、选项、答案和解析，改好后运行 wugu reviewed {id} 记下复核"),
    "W352": ("题 {id} 还没有复核 {ref}（没有 reviewed 记录）", "对照 {ref} 核对这道题无误后，运行 wugu reviewed {id}，会自动写入复核记录"),
    "W353": ("基础版的题 {id} 考的 {ref} 已被本地改写，这道题可能不适用了", "对照本地的条文复核：不适用的在 local/overrides.yml 的 hide_questions 里隐藏它，需要时在 local/questions/ 里写一道本地的题"),
    "W355": ("题 {id} 考的 {ref} 用到了本地方版改过的事实，文字和基础版不同了", "对照现在的 {ref} 看题干、选项、答案和解析里的数字和说法；不适用的写进 local/overrides.yml 的 hide_questions，或者另写一道本地的题"),
    "W354": ("本地{kind} {id} 还没有题考它", "在 local/questions/ 里写一道题，tests 里写上 {ref}"),
    # W360–W369: whether the training bank can be passed by guessing (validate/balance.py) — the bank helper's group
    "W360": ("判断题 {total} 道，答案是“{answer}”的有 {count} 道（{share}），不在 {low}–{high} 之间：一律答“{answer}”就能拿到大部分判断题的分（如 {examples}）",
             "把其中几道改写成相反的说法、答案改为“{other}”（解析随着改），让答“错”的判断题占 {low}–{high}"),
    "W361": ("选择题 {total} 道里，正确答案是最长选项的有 {count} 道（{share}），超过 {limit}：只挑最长的选项就能答对很多题（如 {examples}）",
             "把错误选项写成志愿者真会犯的、和正确答案一样具体的做法，或者把正确答案写得精炼些，让选项的长短看不出对错"),
    "W362": ("单选题和情景题 {total} 道里，正确答案在 {letter} 的有 {count} 道（{share}），超过 {limit}（如 {examples}）",
             "调换这些题的选项顺序，让正确答案大致均匀地落在 A、B、C、D；试卷和网站自测会打乱选项，但导出给其他考试工具的题库保持文件里的顺序"),
    "W363": ("多选题 {total} 道里，答案都是 {letters} 的有 {count} 道（{share}），超过 {limit}（如 {examples}）",
             "调换选项顺序，或把其中一个正确选项改写成志愿者常犯的错误做法，让多选题的答案有的两项、有的三项，落在不同的选项上"),
    # W364–W369: the training kit, fourth round (train4) — one question that gives its answer away
    "W364": ("题 {id} 的正确答案 {letter}（{right} 个字）比每个错误选项都长出两成以上（最长的错误选项 {wrong} 个字）：只看长短就能选对",
             "把正确答案写得精炼些，或者把错误选项写成和它一样具体的、志愿者真会犯的错"),
    "W365": ("只有一个选项带“{cue}”的单选题、情景题共 {total} 道，其中 {count} 道正确答案就是带“{cue}”的那个（超过 {limit}；例如 {examples}）：只看有没有“{cue}”就能选对",
             "把一部分正确答案改写得不带“{cue}”，或者让错误选项也带上（写成志愿者真会犯的两步做法）"),
    # W370–W374: the training kit, trainer review 3 (train6) — wording cues across the bank
    "W370": ("判断题 {total} 道里，按“说法带‘可以/只要/就行/不算/不必’的答错、其余答对”猜，能答对 {count} 道（{share}），超过 {limit}：不读懂题，只看放宽还是要求的字眼就能答对（如 {examples}）",
             "把几道说法正确的写成“可以……”（制度确实允许的做法），把几道说法错误的写成“应当……”（细节错了的要求），每句仍只依据它考的条款判断对错"),
    "W371": ("多选题 {total} 道里，有 {right} 个正确选项的占 {count} 道（{share}），超过 {limit}：只要划掉显得最不对的那个就能答对很多题（如 {examples}）",
             "让多选题有的两项对、有的三项对、有的全对；改写时错误选项写志愿者真会犯的错，不写玩笑"),
    # E310–E329: facts (【名称】 references) and terms — the facts helper's group
    "E310": ("引用了没有定义的事实【{name}】", "{fix}"),
    "E311": ("“【”没有配对的“】”：{snippet}", "事实引用写成【名称】，两边都用全角方括号；如果不是引用，请删掉这个“【”"),
    "E312": ("事实【{name}】重复定义（{other} 已经定义过）", "删掉其中一个；地方版要改某个事实，写在 local/overrides.yml 的 facts: 下"),
    "E313": ("事实【{name}】的值里又引用了自己（{chain}）", "把循环引用改成直接写出的文字"),
    "E314": ("地方版要改的事实【{name}】在基础版里没有定义", "{fix}"),
    # E320–E329: facts a clerk fills in (phone numbers, the office address) — the content helper's group
    "E320": ("事实【{name}】取自 wugu.yml 的 {key}，不在 overrides.yml 里改",
             "删掉 overrides.yml 里的这一项，写在 wugu.yml 的 {key}（新建地方版时用 wugu init {option}）"),
    "E321": ("事实【{name}】要写一个电话号码，这里写的是“{value}”",
             "写带区号的座机号码，例如 0539-1234567；还不知道号码的，删掉这一项，网页和 PDF 上会印一条横线，由志愿者自己写上"),
    # W301–W329: warnings (shown by wugu check; --strict turns them into errors) — the facts helper's group
    "W301": ("事实【{name}】定义了，但没有任何地方引用", "在用到它的文字里写【{name}】，或者从 facts.yml 删掉这一项"),
    "W302": ("“{variant}”是“{term}”的不规范写法", "改成“{term}”（统一的写法见名词解释“{term}”；只是提到这种写法时加引号）"),
    "W303": ("看起来是占位文字，不能发布：“{snippet}”", "改成真实内容，或者删掉这一项（没有填写的联系方式网页和 PDF 上不显示）；"
             "只是预览时可用 wugu build --draft"),
    # E315–E319, W304–W305: search keywords (keywords: in content files, and in site/ pages' front matter) — the
    # site-keywords helper's group. A keyword is a short word typed into the site's search box.
    "E315": ("{key}应该是关键词的列表，现在是{actual}", "写成列表：keywords: [报警, 孩子被打]，或者每个词一行，以“- ”开头"),
    "E316": ("{key}的第 {n} 项是空的", "写上关键词，或者删掉这一项"),
    "E317": ("搜索关键词“{word}”太长：{length} 个字，最多 {limit} 个字",
             "关键词是人们在搜索框里会打的短词，例如“孩子被打”；一句话拆成几个短词"),
    "E318": ("搜索关键词“{word}”重复了：第 {first} 项已经是“{other}”", "删掉重复的这一项"),
    "E319": ("{key}的第 {n} 项不是文字，而是{actual}", "{fix}"),
    "W304": ("搜索关键词“{word}”在 {other} 也写了：{why}", "{fix}"),
    "W305": ("搜索关键词“{word}”里有{what}，搜索时会被拆成{parts}，每一段都当作一个关键词（单个字也是），搜别的词时也会排到前面",
             "去掉空格和标点；要几个词就写成几项，例如 [报警, 110]"),
    # E4xx: privacy
    "E401": ("疑似真实的居民身份证号“{masked}”", "手册和示例里不能出现真实身份证号；删除它，或改成明显虚构的写法（如 370000********0000）"),
    "E402": ("疑似真实的手机号“{masked}”", "手册和示例里不能出现个人手机号；删除它，或改成明显虚构的写法（如 138****0000）"),
    "E403": ("疑似真实的银行卡号“{masked}”", "手册里不能出现银行卡号；款物登记只写账号后 4 位"),
    # E430–E439: wugu serve, the live preview — the serve helper's group
    "E430": ("预览在更新网站时出错：{detail}",
             "网页仍是上一次成功生成的内容，下次保存时会重新生成整个网站；反复出现时，按 Ctrl+C 结束后重新运行 "
             "wugu serve，并把这一行报告给手册维护人"),
    # E410–E429: many editions at once (wugu build --editions)
    "E410": ("“{source}”里没有找到地方版（有 wugu.yml 的目录）", "写一个放着各地方版目录的目录，或一个每行写一个地方版目录的清单文件，例如 wugu build --editions 各地方版/"),
    "E411": ("清单第 {n} 行“{entry}”{what}", "{fix}"),
    "E412": ("地方版目录“{name}”{what}", "{fix}"),
    "E413": ("地方版“{edition}”没有通过检查，这次没有生成{kept}", "按上面以它的目录开头的各行改正，再运行一次"),
    "E414": ("地方版“{edition}”生成 PDF 时出错：{detail}{kept}", "在这个地方版的目录里运行 wugu pdf，单独生成它，看具体的错误"),
    "E416": ("清单文件“{file}”读不出来：{reason}", "清单文件用 UTF-8 编码保存，每行写一个地方版目录（相对于清单文件所在的目录），# 后面是说明"),
    "E415": ("{failed} 个地方版没有生成（共 {total} 个）：{names}", "按上面的提示改正这些地方版后再运行一次；其他地方版的 PDF 已经生成"),
    # E417–E429, E431–E439: many editions, second round (issue 9: each edition refuses placeholders as wugu build)
    "E417": ("地方版“{edition}”的“{key}”像是占位文字：“{snippet}”，这本地方版不能发布",
             "在这个文件里把“{key}”改成本地真实的内容，或者删掉这一项（没写的联系方式，网页和 PDF 上都不显示）；"
             "只是自己预览时可以加 --draft：wugu build --editions … --draft"),
    # E418–E429: practice guides in packs and as PDFs of their own (issue 11: the emergency card as a download)
    "E418": ("表格包列出了不存在的实用指南“{id}”", "{fix}"),
    "E419": ("单页卡片《{title}》排版后有 {pages} 页，打印出来不是一张卡片",
             "缩短这篇指南（少写几条，或把长句改短），让它排在一页 A4 上；不需要是卡片的，删掉“card: true”"),
    # E5xx: usage and environment (exit code 2)
    "E501": ("这里不是 wugu 手册目录：找不到 {missing}", "进入手册所在目录再运行，或写明目录：wugu check 目录名"),
    "E502": ("找不到目录“{folder}”", "检查目录名是否写对"),
    "E503": ("{detail}", "{fix}"),
    "E504": ("没有找到简体中文字体（Noto Serif CJK SC / Noto Sans CJK SC），不能生成 PDF",
             "先安装字体再运行：sudo apt-get install fonts-noto-cjk（或运行 bash scripts/setup.sh）；"
             "其他系统请安装“思源宋体 SC”和“思源黑体 SC”（Noto Serif/Sans CJK SC）"),
    # E51x: usage problems when building the site (exit code 2)
    # E505–E509 (hardening): the environment (exit code 2)
    "E505": ("不能写入“{file}”：{reason}", "确认磁盘有空间、输出目录可以写入；或用 --out 换一个目录。上一次生成的结果没有改动"),
    "E507": ("输出目录“{folder}”在内容目录 {content} 里，或包含它：每次生成会整个替换输出目录，内容就没了",
             "用 --out 指定内容目录以外的位置，例如 --out {example}"),
    "E511": ("输出目录“{folder}”{what}", "{fix}"),
    "E512": ("网站配置有误：{detail}", "修改 {config} 里的这一项；不确定时删掉这一项，wugu 会用默认设置"),
    # E513–E529 (hardening): mkdocs.yml and the command line, read as untrusted input
    "E513": ("网站设置里不允许的标签“{tag}”（这种标签会在生成时构造 Python 对象、运行命令）",
             "删掉这个以 ! 开头的标签，直接写普通的值；wugu 只接受 MkDocs 自己的 !ENV 和 !relative"),
    "E514": ("网站设置“{key}”{what}，wugu 不允许", "删除这一项；需要的页面和样式放进 site/ 目录"),
    "E515": ("!ENV 不能读取环境变量“{name}”（CI 里的环境变量常有密钥，会被发布到网站上）",
             "只能读取以 {prefixes} 开头的变量；或者直接写出这个值"),
    "E517": ("{option} 的值里有换行或控制字符，或是空的", "只写一行普通文字"),
    # E518–E529 (hardening, second round): mkdocs.yml allowlists, output paths, links where wugu writes
    "E518": ("Markdown 扩展“{name}”不在 wugu 允许的清单里{why}", "删掉这一项；可以用的扩展：{allowed}"),
    "E519": ("网站插件“{name}”不在 wugu 允许的清单里{why}", "删掉这一项；可以用的插件：{allowed}"),
    "E520": ("网站设置“{key}”的值“{value}”不能用：{why}", "{fix}"),
    "E521": ("“{link}”是一个符号链接（指向 {target}）：{what}", "{fix}"),
    "E522": ("{what}", "{fix}"),
    # E525–E529 (hardening, third round): what is published under site/
    "E525": ("“{file}”有 {size}，超过 {limit}：wugu 查不完其中有没有个人信息，不会发布它", "网站上的文字文件用不了这么大：删掉它，或拆成几个小文件；大的资料请另外发放"),
    "E526": ("“{file}”是旧版 Excel/WPS 表格（.xls/.et），wugu 看不了里面有没有个人信息，不会发布它", "另存为 .xlsx（用 Excel 或 WPS 的“另存为”），确认里面没有填好的记录后再放进 site/；填好的记录放到 records/ 目录"),
    "E527": ("“{file}”{what}，wugu 查不完其中有没有个人信息，不会发布它", "{fix}"),
    # E540–E559 (hardening, fifth round): allow-lists for mkdocs.yml (settings, extension options, names under theme)
    "E540": ("网站设置“{key}”{what}", "{fix}"),
    "E541": ("网站设置“{key}”下的名称“{name}”不能用：它会原样放进每一页", "名称只写字母、数字和 - _，例如 note、warning"),
    # E550–E556 (hardening, sixth round — r12 attacker review 4): what wugu made that must not be published
    "E550": ("“{file}”是 wugu exam 生成的答案与解析（PDF 的文件信息里记着），放在网站页面目录里会被发布出去",
             "答案与解析考前保密：把它移出 {folder}/，放回 build/exam（wugu exam 的默认位置，不会发布）"),
    "E551": ("事实【考试合格标准】“{value}”{what}：试卷、答案与解析和网站上的自测都按它算合格",
             "写成“满分 100 分，总分 80 分及以上、并且所有红线题全部答对为合格”这样：只写一个合格线，是 1 到 100 之间的整数"),
    # E528–E539 (hardening, fourth round): the command line itself
    "E528": ("命令写法不对：{what}", "{fix}"),
    "E529": ("“{file}”是会自己运行内容的 PDF（{name}），不能随网站发布", "PDF 里的脚本、启动程序、嵌入的文件和提交数据的表单会在读者打开时运行：用 PDF 软件“打印为 PDF”另存一份不带这些内容的，再放进 site/"),
    "E530": ("生成的网页里出现了主题和 wugu 不会写的脚本、事件处理或外部加载：{what}，网站没有更新", "这多半来自 mkdocs.yml 的扩展选项、主题设置或 site/ 里的文件：检查最近的改动并删掉它；确认不是内容造成的，请把这一行报告给手册维护人。上一次生成的网站没有改动"),
    "E531": ("{what}：wugu 读这样的页面要很久（检查和生成网站都会卡住）", "{fix}"),
    # E532–E536 (hardening, sixth round): time bounds — no input under the caps may hang the check or the build
    "E532": ("wugu 读这个页面读了 {seconds} 秒还没有读完，已经停下：这样的页面会让检查和生成网站卡住", "{fix}"),
    "E533": ("生成网站用了 {seconds} 秒还没有完成，wugu 已经停下，网站没有更新", "{fix}。上一次生成的网站没有改动"),
    "E534": ("网站的手写页面一共读了 {seconds} 秒还没有读完，wugu 已经停下（从这个页面起没有检查）", "页面太多或太大：把大的页面拆小，删掉不需要的页面；大的资料做成 PDF 另外发放"),
    "E524": ("wugu 内部出错：{detail}", "这不是内容写错了，是 wugu 自己的问题：请把这一行和刚才运行的命令报告给手册维护人"
             "（设置环境变量 WUGU_DEBUG=1 再运行，可以看到详细信息）。上一次生成的结果没有改动"),
    "E523": ("链接“{link}”指向“{target}”：{why}", "删除这个链接，把需要的文件复制到{where}里"),
    # E6xx: building the site and the PDFs
    "E601": ("生成网站时出错：{detail}", "{fix}"),
    "E602": ("没有生成 PDF 文件“{name}”，网页上的下载链接会失效", "查看上面 PDF 生成时的提示，修好后重新运行 wugu build"),
    # E640–E649: the training kit's commands (wugu exam, wugu questions, wugu reviewed) — the training helper's group
    "E640": ("{detail}", "{fix}"),
    "E641": ("--versions 写法不对：“{value}”", "写成用英文逗号隔开的版本名，例如 --versions A,B（每个版本名 1 到 4 个字母或数字）"),
    "E642": ("题库不够出这份试卷：{detail}", "{fix}"),
    "E643": ("输出目录“{folder}”{what}", "{fix}"),
    "E645": ("题号 {ids} {why}", "写 questions/ 里已有的题号，例如 wugu reviewed Q101 Q102；或者 wugu reviewed --all 记录全部需要复核的题"),
    # E650–E659 (W355–W359 warnings): the question bank's coverage of the practice guides — the training helper's group
    "E650": ("实用指南 {id}《{title}》只有 {count} 道题考它，每篇实用指南至少要 2 道",
             "在 questions/ 里按这篇指南的做法再写 {need} 道题，tests 里写上 {id} 和它依据的规范或条款，例如 tests: [{id}, N13]"),
    "E651": ("题 {id} 的选项 {a} 和 {b} 填上事实以后一模一样：“{text}”", "把写死的那个选项改成别的说法（例如换个数字），或者用 hide_questions 隐藏这道题；地方版改了事实时常见"),
    # E652–E669, W364–W369: the training kit, fourth round (train4) — whole points on every paper
    "E652": ("--count {count}：满分 100 分分给 {count} 道题，每题 {points} 分，阅卷时算不成整数分",
             "每题分数要是整数：可以出 {allowed}；{near}"),
    # E70x–E75x: the forms kit — field keys, filled records (wugu records …). Messages never echo a sensitive value.
    "E700": ("键名“{key}”在这张表里重复（{other}也用了）", "同一张表里每个栏目的键名都要不同：给其中一个换一个键名"),
    "E701": ("键名“{key}”{what}", "{fix}"),
    "E710": ("读不出记录：{detail}", "{fix}"),
    "E711": ("{what}", "{fix}"),
    "E712": ("这份记录是{form}的 {version} 版，现在的表格是 {current} 版：{changed}", "{fix}"),
    "E713": ("不认识的栏目“{key}”", "{fix}"),
    "E714": ("必填栏目“{label}”没有填", "{fix}"),
    "E715": ("“{label}”应该是{expected}", "{fix}"),
    "E716": ("“{label}”填的{value}不是表上的选项", "只能填：{allowed}"),
    "E717": ("“{label}”不是有效的日期", "{fix}"),  # fix: cnformats.MESSAGES, the fill page's words
    "E718": ("“{label}”不是有效的身份证号（{masked}）", "{fix}"),
    "E719": ("“{label}”不是有效的{kind}（{masked}）", "{fix}"),
    "E720": ("“{label}”{what}", "{fix}"),
    "E730": ("儿童编号 {masked} 重复（{other} 也是这个编号）", "一个孩子只建一份档案：核对后删掉重复的一份，或改正编号"),
    "E731": ("结对记录里的儿童编号 {masked} 在调查表记录里找不到", "先为这个孩子建调查表（WG-F04），或改正编号；检查时把调查表记录一起给出"),
    "E732": ("“{label}”与身份证号里的出生日期不一致", "对照户口簿核对出生日期和身份证号，改正写错的一个"),
    "E733": ("{what}", "{fix}"),
    "E740": ("找不到记录文件“{path}”", "检查文件名是否写对"),
    "E741": ("不能处理这种文件：{detail}", "记录文件要用 .json、.jsonl、.xlsx 或 .csv；Excel 的 .xls 请另存为 .xlsx"),
    "E742": ("这里有填好的记录文件，不能放在{where}里，否则会被公开或提交进版本库", "把它移到手册目录外，或放进 records/ 目录（不会进版本库、不会发布）"),
    "E743": ("{what}", "{fix}"),
    "E744": ("{what}", "{fix}"),
    "E745": ("{what}", "{fix}"),
    # E746–E759: the forms kit, second round (records2) — form definitions and rules shared with the fill page
    "E746": ("“{label}”也写了 form_date: true，{other}已经是这张表的填表日期", "每张表只有一个填表日期：只在一栏写 form_date: true"),
    # E760–E779: the forms kit, office review (office) — workbooks read by header, clerk edits, shared formats
    "E760": ("表头“{header}”出现了两次（{other}也是）", "{fix}"),
    "E761": ("不认识的表头“{header}”，而模板里有的栏目在这张工作表里找不到", "{fix}"),
    "E762": ("“{sheet}”工作表缺少这些栏目的列：{missing}", "{fix}"),
    "E763": ("合并的单元格 {range} 跨了几列，读不出每一栏各填了什么", "取消合并（“开始”→“合并居中”→“取消合并单元格”），每一格分别填写"),
    "E764": ("“{sheet}”工作表{what}：{form}的模板在第 2 行写表头，依次是{expected}", "{fix}"),
    "E765": ("“{folder}”里已经有同名的{what}（{count} 个，第一个在这里），没有覆盖",
             "换一个输出目录（--out 另一个目录），或确认要替换旧文件时加上 --force"),
    "E766": ("{what}", "{fix}"),  # a rule of the rulebook on a table's rows (WG-F05: counts that must add up)
    # E767–E789: the forms kit, clerk re-review (office4) — empty workbooks, stats output, print parity
    "E767": ("这个 Excel 文件是空的：{sheets}里一个字也没有，看不出是哪张表格，也没有记录", "{fix}"),
    "E768": ("“{sheet}”工作表有 {count} 行只填了一两格（{cols}），不像一份记录：{rows}",
             "是备注、说明或预先拉好的序号、乡镇：删掉这些行（备注写在另一张工作表里）；是记录：把必填栏目填上"),
    "E769": ("序号 {serial} 写了两次（{other} 也是）：“{table}”工作表里写这个序号的行分不清属于哪一份记录",
             "每份记录一个序号，从 1 起往下编，不要重复；“{table}”工作表第一列的记录序号随着改"),
    "E770": ("“{sheet}”工作表像是“{main}”的副本（表头一样），里面的 {count} 行记录没有读取，也不会计入统计",
             "把这些行剪切到“{main}”工作表里、接在已有记录的下面（序号接着往下编），删掉“{sheet}”工作表，再检查"),
    # E776–E779, E560–E563, W375–W379 (hardening, harden9): records files too big to read, too many problems to
    # print, exported files written where they do harm, characters the PDF fonts cannot print, a bank too big
    "E560": ("不能把导出的文件写到“{file}”：它{what}", "{fix}"),
    "E561": ("样式表“{file}”里有 {count} 个反斜杠转义，超过上限 {limit} 个：wugu 查不完它会不会从外网加载资源，不会发布它",
             "网站的样式表用不了这么多转义（图标字体的样式表也只有几百个）：检查是否误粘贴了大量内容，删掉它或换成正常写法的样式表"),
    "E562": ("“{label}”有 {count} 行（项），超过上限 {limit}，这份记录没有检查",
             "一份记录的表格用不了这么多行：检查是否误把同一行复制了很多遍，删掉多余的行；确实很多就分成几份记录"),
    "E776": ("这个记录文件有 {size}，超过上限 {limit}，wugu 不读它",
             "一个县的一种表格的记录用不了这么大的文件：检查是否误粘贴了大量内容；记录确实很多就分成几个文件"),
    "E777": ("文件里的记录超过 {limit} 份，wugu 不读这个文件",
             "一个县的一种表格用不了这么多份记录：检查是否误把同一批记录复制了很多遍；记录确实很多就分成几个文件"),
    "E778": ("另有 {count} 个同样的 {code} 问题（例如：{what}），没有逐一列出",
             "先按上面列出的 {code} 改好同类的问题，再重新检查，剩下的会列出来"),
    "E779": ("到这个文件为止，培训题库已有 {count} 道题（基础版和本地的合计），超过上限 {limit} 道",
             "一个团的培训题库用不了这么多题（网站的自测页每次都要全部载入）：检查是否误把同一批题复制了很多遍，删掉重复的"),
    # E557–E558 (hardening, harden10 — r12 attacker review 5): the rows of one record's table, the versions of one
    # exam are capped
    "E557": ("“{label}”有 {count} 行，超过上限 {limit} 行，wugu 不检查也不打印这份记录",
             "一份记录的表格用不了这么多行：检查是否误粘贴了大量内容、删掉空行；确实有这么多就分成几份记录（续页）"),
    "E558": ("--versions 写了 {count} 个版本，超过上限 {limit} 个（每个版本要排三个 PDF）",
             "一场考试有两三个版本（--versions A,B）就够防抄了；确实要更多就分几次生成，每次用不同的 --out"),
    "W375": ("“{char}”（{point}）这个字 PDF 用的中文字体里没有，印出来会是方框或别的字体",
             "换成常用字；人名、地名里的生僻字写成同音常用字并在备注里说明，或者印好后手写补上"),
    "W376": ("“{label}”里有一个字“{char}”（{point}）PDF 用的中文字体里没有，印出来会是方框",
             "写成同音常用字并在备注栏说明，或者印好后在纸上手写补上"),
}

#: Codes that mean the user invoked wugu wrongly (exit code 2) rather than wrote bad content (exit code 1).
USAGE_CODES = frozenset({"E501", "E502", "E503", "E504", "E511", "E512",
                         "E505", "E507", "E517"})  # E505, E507, E517: hardening (environment, options)
USAGE_CODES |= {"E528"}  # hardening, fourth round: click's usage errors, said in Chinese
USAGE_CODES |= {"E521", "E522"}  # hardening, second round: links on the output path, init over a link
USAGE_CODES |= {"E410", "E412", "E416"}  # many editions: nothing to build, an output folder name unusable
USAGE_CODES |= {"E640", "E641", "E642", "E643", "E645"}  # E640–E645: the training kit's commands
USAGE_CODES |= {"E558"}  # hardening (harden10): too many exam versions on the command line
USAGE_CODES |= {"E652"}  # the training kit, fourth round: a question count that gives no whole points
USAGE_CODES |= {"E740", "E741", "E743", "E744"}  # the forms kit: missing or unknown files, output folder, stats usage
USAGE_CODES |= {"E765"}  # the forms kit, office review: records pdf/stats would overwrite earlier files
USAGE_CODES |= {"E560"}  # hardening (harden9): an exported file aimed at the content or through a link


@dataclass(frozen=True)
class Problem:
    """One problem found in the content, pointing at ``path:line:col`` (1-based; 0 when unknown)."""

    code: str
    path: str
    line: int = 0
    col: int = 0
    args: dict[str, Any] = field(default_factory=dict, compare=False)
    strict: bool = field(default=False, compare=False)  # a warning counted as an error (--strict)

    @property
    def message(self) -> str:
        """The Chinese message, with its arguments filled in."""
        return CATALOGUE[self.code][0].format(**self.args)

    @property
    def fix(self) -> str:
        """How to fix it, in Chinese."""
        return CATALOGUE[self.code][1].format(**self.args)

    @property
    def severity(self) -> str:
        """``warning`` for W-codes (shown, exit 0; ``--strict`` makes them errors), else ``error``."""
        return "warning" if self.code.startswith("W") and not self.strict else "error"

    @property
    def is_usage(self) -> bool:
        """True for usage and environment problems (exit code 2)."""
        return self.code in USAGE_CODES

    def location(self) -> str:
        """``path:line:col`` or just ``path`` when no position is known."""
        if self.line:
            return f"{self.path}:{self.line}:{self.col or 1}"
        return self.path

    def format(self) -> str:
        """One line: ``path:line:col: error CODE: message — fix`` (``warning`` for W-codes); control characters and
        escape sequences from the content are shown as ``\\x1b``-style escapes, never sent to the terminal as they are."""
        return terminal(f"{self.location()}: {self.severity} {self.code}: {self.message} — {self.fix}")


def problem(code: str, path: str, line: int = 0, col: int = 0, **args: Any) -> Problem:
    """Build a :class:`Problem`; fails loudly if the code is not in the catalogue."""
    if code not in CATALOGUE:
        raise KeyError(f"unknown problem code {code}")
    return Problem(code, path, line, col, args)


class WuguError(Exception):
    """Raised by library functions when content or usage problems stop the work."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.format() for p in problems))
        self.problems = problems

    @property
    def exit_code(self) -> int:
        """2 if any problem is a usage problem, else 1."""
        return 2 if any(p.is_usage for p in self.problems) else 1
