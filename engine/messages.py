"""Every message a person can be shown about their input, in Chinese and English, as data.

A problem carries a message id and its arguments (``engine.errors.Problem``); the text is made
here and nowhere else, in the reader's language, when it is shown. The English text stays the
problem's ``message`` for callers that read it, as before.

To add a message: add an entry to ``MESSAGES`` with both languages (tests/test_messages.py fails
on an entry missing one, or on a placeholder one language lacks) and raise it with
``errors.problem("your_id", arg=...)`` or ``SourceMap.problem(path, "your_id", arg=...)``.

Placeholders use ``str.format`` syntax. A format spec names a vocabulary for values that are
words themselves: ``{found:type}`` (a JSON type name), ``{expected:types}`` (a list of them),
``{options:list}`` (a list of values, quoted by nothing, joined with commas), ``{parts:and}``,
``{pack:pack}`` (a pack by its name), ``{packs:packs}`` (several), ``{x:named}`` / ``{xs:named_list}`` (a document or finding by its name), ``{value:written}`` (a pack's value as YAML writes it), ``{first:line_note}`` (" (line 3)", or nothing), ``{fields:differ}`` (differs / differ), ``{reason:message}`` (another message, as (id, args)), ``{x:versus}`` (differences, as (what, one, other) triples)
and the vocabularies of ``_VOCABULARY`` (``{kind:fact_kind}``, ``{scope:scope}``, …).

Chinese text puts one space between a Chinese character and an ASCII letter or digit, and none
between two Chinese characters (``spaced``; tests/test_message_spacing.py renders every entry).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# The words of the formats above, per language.
_TYPES = {
    "en": {"string": "text", "integer": "a whole number", "boolean": "true or false", "object": "a mapping",
           "array": "a list", "number": "a number", "null": "nothing"},
    "zh": {"string": "文本", "integer": "整数", "boolean": "true 或 false", "object": "映射（字段: 值）",
           "array": "列表", "number": "数字", "null": "空值"},
}
# A pack fact's kind (engine/facts.py), as a condition error describes it.
_FACT_KINDS = {
    "en": {"integer": "a whole number", "boolean": "true or false", "date": "a date (YYYY-MM-DD)", "text": "text",
           "enum": "one of the fact's values"},
    "zh": {"integer": "整数", "boolean": "true 或 false", "date": "日期（YYYY-MM-DD）", "text": "文本",
           "enum": "该事实的可选值之一"},
}
_OR = {"en": " or ", "zh": "或"}
_LINE_NOTE = {"en": " (line {line})", "zh": "（第 {line} 行）"}
_DIFFER = {"en": ("differs", "differ"), "zh": ("不同", "不同")}
# After a long text shown by its start: how long it is in all
_LENGTH_NOTE = {"en": " ({length} characters)", "zh": "（共 {length} 个字符）"}
_LIST_SEP = {"en": ", ", "zh": "、"}

MESSAGES: dict[str, dict[str, str]] = {
    # apps[] (engine/application.py): package names per platform, mini program AppIDs, signature MD5
    "app_package_android": {"en": "'{value}' is not an Android package name: two or more dot-separated parts, each starting "
                                  "with a letter, of letters, digits and _ (com.example.app)",
                            "zh": "“{value}”不是有效的安卓包名：至少两段、以点分隔，每段以字母开头，只含字母、数字和下划线（如 com.example.app）"},
    "app_package_ios": {"en": "'{value}' is not an iOS bundle id: letters, digits, hyphens and dots, no empty part (com.example.app)",
                        "zh": "“{value}”不是有效的 iOS Bundle ID：只含字母、数字、连字符和点，不能有空段（如 com.example.app）"},
    "app_package_harmony": {"en": "'{value}' is not a HarmonyOS bundle name: 7-128 characters, starting with a letter, two or "
                                  "more dot-separated parts of letters, digits and _ (com.example.app)",
                            "zh": "“{value}”不是有效的鸿蒙包名：7–128 个字符，以字母开头，至少两段、以点分隔，只含字母、数字和下划线（如 com.example.app）"},
    "app_package_quick_app": {"en": "'{value}' is not a quick app package name: two or more dot-separated parts, each starting "
                                    "with a letter, of letters, digits and _ (com.example.app)",
                              "zh": "“{value}”不是有效的快应用包名：至少两段、以点分隔，每段以字母开头，只含字母、数字和下划线（如 com.example.app）"},
    "app_package_any": {"en": "'{value}' is not a package name or bundle id (com.example.app)",
                        "zh": "“{value}”不是有效的包名或 Bundle ID（如 com.example.app）"},
    "mini_program_appid_wechat": {"en": "'{value}' is not a mini program AppID: a WeChat mini program AppID is 'wx' followed by "
                                        "16 hexadecimal digits",
                                  "zh": "“{value}”不是有效的小程序 AppID：微信小程序的 AppID 为“wx”加 16 位十六进制数字"},
    "mini_program_appid_douyin": {"en": "'{value}' is not a mini program AppID: a Douyin mini program AppID is 'tt' followed by "
                                        "16 hexadecimal digits",
                                  "zh": "“{value}”不是有效的小程序 AppID：抖音小程序的 AppID 为“tt”加 16 位十六进制数字"},
    "mini_program_appid": {"en": "'{value}' is not a mini program AppID: a mini program AppID is 6-32 letters and digits "
                                 "(WeChat: wx and 16 hexadecimal digits)",
                           "zh": "“{value}”不是有效的小程序 AppID：应为 6–32 位字母和数字（微信小程序为 wx 加 16 位十六进制数字）"},
    "signature_md5_invalid": {"en": "'{value}' is not a signature MD5 (32 hexadecimal digits, optionally in colon-separated pairs)",
                              "zh": "“{value}”不是有效的签名 MD5（32 位十六进制数字，可用冒号两两分隔）"},
    # --- how a problem is shown
    "did_you_mean": {"en": " (did you mean '{suggestion}'?)", "zh": "（是否想写“{suggestion}”？）"},
    "where_query": {"en": "query parameter {name}", "zh": "查询参数 {name}"},
    "where_header": {"en": "header {name}", "zh": "请求头 {name}"},
    "where_path": {"en": "request path", "zh": "请求路径"},
    "tag_error": {"en": "error", "zh": "错误"},
    "tag_warning": {"en": "warning", "zh": "警告"},
    "unknown_error": {"en": "unknown error", "zh": "未知错误"},
    # --- the application against its schema (engine/application.py)
    "unknown_field": {"en": "unknown field '{name}'", "zh": "未知字段“{name}”"},
    "missing_field": {"en": "missing required field '{name}'", "zh": "缺少必填字段“{name}”"},
    "not_one_of": {"en": "'{value}' is not one of: {options:list}", "zh": "“{value}”不是可选值之一：{options:list}"},
    "wrong_type": {"en": "expected {expected:types}, found {found:type}", "zh": "应为{expected:types}，实为{found:type}"},
    "not_a_date": {"en": "'{value}' is not a valid date (expected YYYY-MM-DD)",
                   "zh": "“{value}”不是有效日期（格式为 YYYY-MM-DD）"},
    "date_forever": {"en": "'{value}' is not a date: for a certificate or domain without an expiry date, "
                           "leave this field out",
                     "zh": "“{value}”不是日期：证件或域名长期有效时，请不要填写此字段"},
    "at_least": {"en": "must be at least {minimum}, found {value}", "zh": "不能小于 {minimum}，实为 {value}"},
    "too_long": {"en": "is too long (at most {limit})", "zh": "过长（最多 {limit}）"},
    "empty_value": {"en": "must not be empty", "zh": "不能为空"},
    "not_snake_case": {"en": "'{value}' must be snake_case (lowercase letters, digits, _)",
                       "zh": "“{value}”须为 snake_case（小写字母、数字、下划线）"},
    "schema_other": {"en": "{detail}", "zh": "不符合申请格式：{detail}"},
    "not_a_mapping_application": {"en": "an application must be a mapping of fields",
                                  "zh": "申请须为“字段: 值”的映射"},
    "application_argument": {"en": "an application is a mapping, a path to a JSON/YAML file or an Application, "
                                   "not {kind}",
                             "zh": "申请须为映射、JSON/YAML 文件路径或 Application，而不是 {kind}"},
    "fill_in": {"en": "this field is empty: fill it in ({expected:types})", "zh": "此字段为空：请填写（{expected:types}）"},
    "fill_in_date": {"en": "this field is empty: fill in a date (YYYY-MM-DD)", "zh": "此字段为空：请填写日期（YYYY-MM-DD）"},
    # --- checks a schema cannot express
    "unknown_province": {"en": "unknown province '{value}'", "zh": "未知省份“{value}”"},
    "id_layout": {"en": "an ID number has 17 digits followed by a digit or X",
                  "zh": "身份证号码应为 17 位数字加 1 位数字或 X"},
    "id_birth_date": {"en": "the birth date inside this ID number is not a real date",
                      "zh": "该身份证号码中的出生日期不是真实日期"},
    "id_check_digit": {"en": "the ID number's check digit is wrong (mistyped digit?)",
                       "zh": "身份证号码校验位错误（是否输错了某一位？）"},
    "id_region_not_mainland": {"en": "region code {code} is not a mainland province",
                               "zh": "地区码 {code} 不是内地省份"},
    "id_region_unknown": {"en": "region code {code} is not in the current list; old IDs keep old codes",
                          "zh": "地区码 {code} 不在现行行政区划代码中；旧证件保留旧代码"},
    "uscc_check_char": {"en": "the unified social credit code's check character is wrong",
                        "zh": "统一社会信用代码校验位错误"},
    "uscc_invalid": {"en": "not a valid unified social credit code", "zh": "不是有效的统一社会信用代码"},
    "domain_invalid": {"en": "'{value}' is not a valid domain name (letters, digits and hyphens between dots)",
                       "zh": "“{value}”不是有效域名（点之间只能是字母、数字和连字符）"},
    "domain_idna": {"en": "'{value}' is not a valid domain name (it holds characters a domain cannot)",
                    "zh": "“{value}”不是有效域名（含有域名不能使用的字符）"},
    "domain_no_suffix": {"en": "'{value}' is not a full domain name (no suffix)", "zh": "“{value}”不是完整域名（缺少后缀）"},
    "domain_scheme": {"en": "'{value}' is a web address, not a domain name: write '{meant}'",
                      "zh": "“{value}”是网址而不是域名：请写作“{meant}”"},
    "domain_scheme_fullwidth": {"en": "'{value}' is a web address with full-width punctuation ('{char}'): write one domain "
                                      "per entry, without https:// and with ASCII dots",
                                "zh": "“{value}”是网址且含有全角标点（“{char}”）：每项只写一个域名，不要加 https://，并使用半角点号"},
    "domain_fullwidth": {"en": "'{value}' holds full-width punctuation ('{char}'): write one domain per entry, "
                               "with ASCII dots",
                         "zh": "“{value}”含有全角标点（“{char}”）：每项只写一个域名，并使用半角点号"},
    "as_of_not_date": {"en": "'{value}' is not a date (YYYY-MM-DD)", "zh": "“{value}”不是日期（YYYY-MM-DD）"},
    "name_is_number": {"en": "this is a certificate number, not a name: write the name here and the number under "
                             "certificate.number",
                       "zh": "这里应填写姓名或名称，而不是证件号码（证件号码请填在 certificate.number）"},
    "one_number_two_people": {
        "en": "the same certificate number is given at {where}{first:line_note} for a different person "
              "({fields:person_fields} {fields:differ}): one number is one person",
        "zh": "同一证件号码已在 {where}{first:line_note}填写，但属于另一个人（{fields:person_fields}{fields:differ}）："
              "一个证件号码只对应一个人"},
    "domain_not_described": {
        "en": "the website's domain '{value}' has no entry in domains[] (its registered domain is '{registered}'): "
              "describe it there (registrant, real-name verification, expiry), or its domain checks cannot run",
        "zh": "网站的域名“{value}”在 domains[] 中没有对应条目（其注册域名为“{registered}”）：请在那里填写"
              "（注册人、实名核验、到期日），否则无法检查该域名"},
    "date_after_submission": {"en": "{name} {value} is after the submission ({on}): this date cannot lie in the future",
                              "zh": "{name} {value} 晚于提交日期（{on}）：这个日期不可能在将来"},
    "date_after_evaluation": {"en": "{name} {value} is after the evaluation date ({on}): this date cannot lie in the "
                                    "future",
                              "zh": "{name} {value} 晚于评估日期（{on}）：这个日期不可能在将来"},
    "document_for_no_person": {"en": "names no person of this application: give the certificate number of the "
                                     "principal or of a website manager",
                               "zh": "未指向本申请中的任何人：请填写主体负责人或网站负责人的证件号码"},
    "document_for_no_domain": {"en": "names the domain '{value}', which is not in domains[]",
                               "zh": "指向的域名“{value}”不在 domains[] 中"},
    # --- reading files (engine/source.py)
    "max_bytes_env": {"en": "{name}={value} is not a positive number of bytes", "zh": "{name}={value} 不是正整数字节数"},
    "no_such_file": {"en": "no such file", "zh": "文件不存在"},
    "is_a_directory": {"en": "is a directory, not a file", "zh": "这是目录，不是文件"},
    "cannot_read": {"en": "cannot read file: {reason}", "zh": "无法读取文件：{reason}"},
    "file_too_large": {"en": "file is {size} bytes, over the limit of {limit} bytes (--max-bytes or {env} raise it)",
                       "zh": "文件有 {size} 字节，超过上限 {limit} 字节（可用 --max-bytes 或 {env} 调高）"},
    "file_grew": {"en": "file is over the limit of {limit} bytes (--max-bytes or {env} raise it)",
                  "zh": "文件超过上限 {limit} 字节（可用 --max-bytes 或 {env} 调高）"},
    "not_regular_file": {"en": "is not a regular file ({kind}); only regular files are read",
                         "zh": "不是普通文件（{kind}）；只读取普通文件"},
    "binary_file": {"en": "binary file: expected JSON or YAML text", "zh": "二进制文件：应为 JSON 或 YAML 文本"},
    "not_utf8": {"en": "not UTF-8 text (byte {byte} is invalid; save the file as UTF-8)",
                 "zh": "不是 UTF-8 文本（第 {byte} 字节无效；请以 UTF-8 保存文件）"},
    "empty_document": {"en": "empty document", "zh": "文档为空"},
    "duplicate_key": {"en": "duplicate key '{key}'", "zh": "重复的字段“{key}”"},
    "duplicate_key_at": {"en": "duplicate key '{key}' (first on line {first})", "zh": "重复的字段“{key}”（首次出现在第 {first} 行）"},
    "json_constant": {"en": "{value} is not a valid number", "zh": "{value} 不是有效数字"},
    "json_huge_number": {"en": "{value} is not a usable number (too large)", "zh": "{value} 不是可用的数字（过大）"},
    "json_long_number": {"en": "number with more than {digits} digits", "zh": "数字超过 {digits} 位"},
    "invalid_json": {"en": "invalid JSON (check the quotes, commas and brackets here and just before): {detail}",
                     "zh": "JSON 格式错误（请检查此处及前面的引号、逗号和括号），解析器的说明：{detail}"},
    "invalid_yaml": {"en": "invalid YAML (check the indentation, colons and quotes on this line and the one before): {detail}",
                     "zh": "YAML 格式错误（请检查此行及上一行的缩进、冒号和引号），解析器的说明：{detail}"},
    "yaml_fullwidth_colon": {"en": "invalid YAML: a full-width colon (：) after '{key}'; write an ASCII colon and a space: '{key}: …'",
                             "zh": "YAML 格式错误：“{key}”后是全角冒号（：），请改为半角冒号加一个空格：“{key}: …”"},
    "yaml_colon_space": {"en": "invalid YAML: the colon after '{key}' needs a space after it: '{key}: …'",
                         "zh": "YAML 格式错误：“{key}”后的冒号后面须有一个空格：“{key}: …”"},
    "yaml_tab": {"en": "invalid YAML: a tab in the indentation; indent with spaces only",
                 "zh": "YAML 格式错误：缩进中有制表符（Tab），请只用空格缩进"},
    "yaml_control_char": {"en": "invalid YAML: character {code} is not allowed (control characters cannot appear in YAML)",
                          "zh": "YAML 格式错误：不允许字符 {code}（YAML 中不能出现控制字符）"},
    "too_deep": {"en": "document is nested too deeply", "zh": "文档嵌套过深"},
    "too_deep_levels": {"en": "document is nested more than {levels} levels deep", "zh": "文档嵌套超过 {levels} 层"},
    "several_documents": {"en": "expected one YAML document, found several", "zh": "应为一个 YAML 文档，实有多个"},
    "too_many_values": {"en": "document has more than {count} values (YAML aliases expand into copies)",
                        "zh": "文档的值超过 {count} 个（YAML 别名会展开为副本）"},
    "yaml_tag": {"en": "YAML tag '{tag}' is not allowed", "zh": "不允许 YAML 标签“{tag}”"},
    "yaml_merge_key": {"en": "YAML merge keys ('<<') are not allowed", "zh": "不允许 YAML 合并键（“<<”）"},
    "yaml_key_not_text": {"en": "mapping keys must be plain text", "zh": "字段名须为纯文本"},
    "not_usable_number": {"en": "'{value}' is not a usable number", "zh": "“{value}”不是可用的数字"},
    "yaml_node": {"en": "unsupported YAML node", "zh": "不支持的 YAML 节点"},
    "yaml_not_null": {"en": "'{value}' is not null (!!null takes null, ~ or nothing)",
                      "zh": "“{value}”不是空值（!!null 只接受 null、~ 或不填）"},
    "yaml_not_bool": {"en": "'{value}' is not true or false", "zh": "“{value}”不是 true 或 false"},
    "yaml_not_int": {"en": "'{value}' is not a whole number", "zh": "“{value}”不是整数"},
    "yaml_not_number": {"en": "'{value}' is not a number", "zh": "“{value}”不是数字"},
    "surrogate_text": {"en": "text holds a lone surrogate (U+{code}), which is not a character: the text was cut or "
                             "converted wrongly; save it again as UTF-8",
                       "zh": "文本含有孤立的代理码位（U+{code}），它不是字符：文本被截断或转换有误；请重新以 UTF-8 保存"},
    "surrogate_key": {"en": "a field name holds a lone surrogate (U+{code}), which is not a character: the text was cut "
                            "or converted wrongly; save it again as UTF-8",
                      "zh": "字段名含有孤立的代理码位（U+{code}），它不是字符：文本被截断或转换有误；请重新以 UTF-8 保存"},
    # --- writing files (engine/output.py, engine/audit.py)
    "overwrite_input": {"en": "refusing to write over an input file", "zh": "拒绝覆盖输入文件"},
    "output_twice": {"en": "this file is already an output of the command (-o and --audit must be different files)",
                     "zh": "该文件已是本命令的另一个输出（-o 与 --audit 必须是不同的文件）"},
    "not_regular_output": {"en": "is not a regular file (a device, FIFO or socket); only regular files are written",
                           "zh": "不是普通文件（设备、FIFO 或套接字）；只写入普通文件"},
    "file_exists": {"en": "file exists; pass --force to replace it", "zh": "文件已存在；如需替换请加 --force"},
    "no_such_directory": {"en": "directory does not exist", "zh": "目录不存在"},
    "audit_open": {"en": "cannot open audit file: {reason}", "zh": "无法打开审计文件：{reason}"},
    "audit_write": {"en": "cannot write the audit record: {reason}", "zh": "无法写入审计记录：{reason}"},
    "output_lock_failed": {"en": "cannot lock the output: {reason}", "zh": "无法锁定输出文件：{reason}"},
    "output_locked": {"en": "another run is writing this file (its lock is held); wait for it to finish, or write "
                            "elsewhere",
                      "zh": "另一个运行正在写入此文件（其锁被占用）；请等它结束，或写到别处"},
    "sample_line_too_long": {"en": "line is over {limit} bytes", "zh": "该行超过 {limit} 字节"},
    # --- the installation secret (engine/secret.py): why it is refused, and what it must be
    "secret_refused": {"en": "{why:message} (it must be a regular file of yours that only you can read: chmod 600; "
                             "{env} names another)",
                       "zh": "{why:message}（它须是属于你、只有你能读取的普通文件：chmod 600；可用 {env} 指定另一个文件）"},
    "secret_unreadable": {"en": "the installation secret cannot be read ({reason})", "zh": "无法读取安装密钥（{reason}）"},
    "secret_not_regular": {"en": "the installation secret is not a regular file", "zh": "安装密钥不是普通文件"},
    "secret_other_owner": {"en": "the installation secret belongs to another user", "zh": "安装密钥属于另一个用户"},
    "secret_open_to_others": {"en": "the installation secret can be read or written by others", "zh": "安装密钥可被他人读写"},
    "secret_malformed": {"en": "the installation secret does not hold {size} random bytes in hexadecimal",
                         "zh": "安装密钥不是 {size} 字节的十六进制随机数"},
    "secret_uncreatable": {"en": "the installation secret cannot be created ({reason})", "zh": "无法创建安装密钥（{reason}）"},
    "bundle_needs_key": {"en": "a pack bundle is loaded only with the public key that verifies it "
                               "(public_key=…, --public-key KEY.pub)",
                         "zh": "规则包合集只能用验证它的公钥加载（public_key=…，--public-key KEY.pub）"},
    "no_such_path_file": {"en": "no such file or directory", "zh": "文件或目录不存在"},
    "fmt_would_change_meaning": {"en": "formatting would change what this file means; it was left as it is "
                                       "(please report this)",
                                 "zh": "格式化会改变此文件的含义；文件保持原样（请报告此问题）"},
    # --- the HTTP service and batch
    "body_too_large": {"en": "request body is {size} bytes, over the limit of {limit} bytes",
                       "zh": "请求体有 {size} 字节，超过上限 {limit} 字节"},
    "body_over_limit": {"en": "request body is over the limit of {limit} bytes", "zh": "请求体超过上限 {limit} 字节"},
    "body_empty": {"en": "empty body: send one application as a JSON object", "zh": "请求体为空：请发送一个 JSON 对象形式的申请"},
    "body_not_utf8": {"en": "body is not UTF-8 text (byte {byte} is invalid)", "zh": "请求体不是 UTF-8 文本（第 {byte} 字节无效）"},
    "body_not_object": {"en": "send one application as a JSON object", "zh": "请发送一个 JSON 对象形式的申请"},
    "body_wrapped": {"en": "send the application itself as the body, not wrapped in {{\"{name}\": …}}: its fields "
                           "(filing_province, subject, …) at the top level",
                     "zh": "请直接以申请本身作为请求体，不要包在 {{\"{name}\": …}} 中：filing_province、subject 等字段应在最外层"},
    "application_wrapped": {"en": "the application's fields (filing_province, subject, …) go at the top level, not "
                                  "wrapped in {{\"{name}\": …}}",
                            "zh": "申请的字段（filing_province、subject 等）应在最外层，不要包在 {{\"{name}\": …}} 中"},
    "body_timeout": {"en": "the request body did not arrive within {seconds} s", "zh": "请求体未在 {seconds} 秒内送达"},
    "body_not_json_type": {"en": "send the application as JSON with Content-Type: application/json (this request's: {shown:message})",
                           "zh": "请以 JSON 发送申请，并带 Content-Type: application/json（本请求的是：{shown:message}）"},
    # what a request's header held, quoted in the reader's language, or that it had none
    "header_value": {"en": "'{value}'", "zh": "“{value}”"},
    "header_absent": {"en": "none", "zh": "无"},
    "query_not_date": {"en": "'{value}' is not a date (expected YYYY-MM-DD)", "zh": "“{value}”不是日期（格式为 YYYY-MM-DD）"},
    "invalid_request": {"en": "invalid request", "zh": "无效请求"},
    "request_field": {"en": "{detail}", "zh": "请求参数无效：{detail}"},
    "no_such_path": {"en": "no such path: {value}", "zh": "没有这个路径：{value}"},
    "method_not_allowed": {"en": "{method} is not allowed on {value}", "zh": "{value} 不接受 {method} 请求"},
    "method_not_allowed_use": {"en": "{method} is not allowed on {value} (use {allowed})",
                               "zh": "{value} 不接受 {method} 请求（请使用 {allowed}）"},
    "http_refused": {"en": "{detail}", "zh": "请求被拒绝：{detail}"},
    "host_not_served": {"en": "this service does not answer for the host '{host}' (it answers on loopback only: use "
                              "http://127.0.0.1 or http://localhost)",
                        "zh": "本服务不响应主机名“{host}”（只在本机回环地址上提供服务：请使用 http://127.0.0.1 或 http://localhost）"},
    "too_many_connections": {"en": "over the limit of {limit} connections; try again shortly",
                             "zh": "连接数超过上限 {limit}；请稍后再试"},
    "header_content_length": {"en": "Content-Length must be one number of bytes (this request's: {value})",
                              "zh": "Content-Length 必须是一个表示字节数的整数（本请求的是：{value}）"},
    "header_transfer_encoding": {"en": "Transfer-Encoding can only be chunked (this request's: {value})",
                                 "zh": "Transfer-Encoding 只能是 chunked（本请求的是：{value}）"},
    "body_chunk_malformed": {"en": "the request body cannot be read: a chunk of its chunked transfer encoding is malformed",
                             "zh": "无法读取请求体：分块传输编码（chunked）中有格式错误的分块"},
    "request_malformed": {"en": "not a valid HTTP/1.1 request: its request line or a header cannot be read",
                          "zh": "不是有效的 HTTP/1.1 请求：请求行或某个请求头无法解析"},
    "head_timeout": {"en": "no complete request head within {seconds} s", "zh": "{seconds} 秒内未收到完整的请求头"},
    # --- rule packs reloaded while serving (engine/live.py)
    "packs_directory_missing": {"en": "the directory of rule packs is missing; the last good packs keep serving",
                                "zh": "规则包目录不存在；继续使用最近一次有效的规则包"},
    "pack_unreadable": {"en": "cannot read the pack: {reason}", "zh": "无法读取规则包：{reason}"},
    "pack_removed": {"en": "the pack file was removed; its last good version keeps serving until the service restarts",
                     "zh": "规则包文件已被删除；在服务重启前继续使用其最近一次有效的版本"},
    "watch_directory_missing": {"en": "the directory of rule packs {directory} is missing",
                                "zh": "规则包目录 {directory} 不存在"},
    "watch_polling": {"en": "file events for {directory} failed ({reason}); looking for changes",
                      "zh": "无法获得 {directory} 的文件事件（{reason}）；改为定时检查变化"},
    "unknown_format": {"en": "unknown format '{value}' (use {options:list})", "zh": "未知格式“{value}”（可用 {options:list}）"},
    "unknown_lang": {"en": "unknown language '{value}' (use {options:list})", "zh": "未知语言“{value}”（可用 {options:list}）"},
    "line_too_long": {"en": "line is {size} bytes, over the limit of {limit} bytes", "zh": "该行有 {size} 字节，超过上限 {limit} 字节"},
    "line_not_utf8": {"en": "not UTF-8 text (byte {byte} of the line is invalid)", "zh": "不是 UTF-8 文本（该行第 {byte} 字节无效）"},
    "line_empty": {"en": "empty line: expected one application as a JSON object", "zh": "空行：每行应为一个 JSON 对象形式的申请"},
    "line_not_object": {"en": "expected one application as a JSON object on this line", "zh": "该行应为一个 JSON 对象形式的申请"},
    "batch_not_file_or_pipe": {"en": "is not a regular file or a pipe (a device?); only files and pipes are read",
                               "zh": "不是普通文件或管道（是设备吗？）；只读取文件和管道"},
    "worker_stopped": {"en": "a batch worker stopped unexpectedly (were the rule packs changed while the batch "
                             "started, or is memory short?)",
                       "zh": "批处理的工作进程意外停止（批处理启动时规则包是否被修改？或内存不足？）"},
    # --- rule books, templates, explain, diff, case files
    "unknown_backend": {"en": "unknown backend '{value}' (available: {options:list})",
                        "zh": "未知后端“{value}”（可用：{options:list}）"},
    "no_packs_directory": {"en": "no such directory of rule packs", "zh": "规则包目录不存在"},
    "no_national_pack": {"en": "the national pack national.yaml is missing", "zh": "缺少全国规则包 national.yaml"},
    "no_pack_named": {"en": "no pack named '{value}'", "zh": "没有名为“{value}”的规则包"},
    # a PACKS argument of validate, lint or test that is a path to no pack (engine/targets.py)
    "pack_target_missing": {"en": "no such pack file", "zh": "规则包文件不存在"},
    "pack_target_not_yaml": {"en": "not a rule pack: a pack is a YAML file (.yaml) named after its pack, e.g. guangdong.yaml",
                             "zh": "不是规则包：规则包是以其名称命名的 YAML 文件（.yaml），如 guangdong.yaml"},
    "pack_target_not_pack": {"en": "not a rule pack: it has neither pack: nor rules: (an application is checked with "
                                   "icp-rules check)",
                             "zh": "不是规则包：其中既没有 pack: 也没有 rules:（申请请用 icp-rules check 检查）"},
    "pack_target_case_file": {"en": "a file of test cases, not a rule pack: give it with --cases",
                              "zh": "这是测试用例文件而不是规则包：请用 --cases 指定"},
    "no_templates_directory": {"en": "no such directory of templates", "zh": "模板目录不存在"},
    "template_not_found": {"en": "template not found: {name}", "zh": "找不到模板：{name}"},
    "template_error": {"en": "template error: {detail}", "zh": "模板错误：{detail}"},
    "no_rule": {"en": "no rule '{rule}' in the rules for {pack:pack}", "zh": "{pack:pack}中没有规则“{rule}”"},
    "no_applications": {"en": "no such application file or directory", "zh": "申请文件或目录不存在"},
    "no_cases": {"en": "no such file or directory of test cases", "zh": "测试用例文件或目录不存在"},
    "durable_missing": {"en": "{detail}", "zh": "durable 后端不可用：{detail}"},
    "case_file_not_mapping": {"en": "a case file is a mapping with tests: [...] (and optionally pack:)",
                              "zh": "测试用例文件须为映射，包含 tests: [...]（可选 pack:）"},
    "label_placeholders": {"en": "label '{name}' may name {allowed:list} only, not '{{{extra}}}' (no attributes, "
                                 "indexes or format specifications)",
                           "zh": "标签“{name}”只能使用 {allowed:list}，不能使用“{{{extra}}}”（不支持属性、下标或格式说明）"},
    "template_link_outside": {"en": "is a link to a file outside the templates directory; refused",
                              "zh": "是指向模板目录之外文件的链接；拒绝读取"},
    # --- batch --scheduler on a Dask cluster (engine/cluster.py)
    "cluster_needs_distributed": {"en": "--scheduler needs Dask distributed: pip install 'icp-rulepacks[dask]'",
                                  "zh": "--scheduler 需要 Dask distributed：pip install 'icp-rulepacks[dask]'"},
    "scheduler_unreachable": {"en": "cannot reach the Dask scheduler at {address} ({detail})",
                              "zh": "无法连接 Dask 调度器 {address}（{detail}）"},
    "cluster_no_worker": {"en": "the Dask scheduler has no worker (none joined within {seconds} s)",
                          "zh": "Dask 调度器没有工作节点（{seconds} 秒内没有节点加入）"},
    "cluster_engine_mismatch": {
        "en": "the cluster cannot run this batch: worker {worker} runs icp-rulepacks {theirs}, the client {ours}: "
              "install the same version of the engine on every worker",
        "zh": "集群无法运行此批处理：工作节点 {worker} 运行 icp-rulepacks {theirs}，客户端为 {ours}："
              "请在每个工作节点安装相同版本的引擎"},
    "cluster_packs_mismatch": {
        "en": "the cluster cannot run this batch: worker {worker} received rule packs with digest {received}, "
              "the client sent {sent}: the packs were changed or damaged on the way",
        "zh": "集群无法运行此批处理：工作节点 {worker} 收到的规则包摘要为 {received}，客户端发送的为 {sent}："
              "规则包在传输中被修改或损坏"},
    "unknown_column": {"en": "the dataframe has no column '{name}' (columns: {columns:list})",
                       "zh": "数据框没有“{name}”列（现有列：{columns:list}）"},
    "cluster_worker_failed": {"en": "a worker of the cluster failed, the batch stopped ({detail})",
                              "zh": "集群的一个工作节点出错，批处理已停止（{detail}）"},
}


# --- rule packs: conditions (engine/conditions.py)
MESSAGES.update({
    "condition_not_mapping": {"en": "a condition is a mapping: {{fact: …, OPERATOR: …}}, all, any, not or a quantifier",
                              "zh": "条件须为映射：{{fact: …, 运算符: …}}、all、any、not 或量词"},
    "condition_combinators": {"en": "one combinator per mapping, found: {found:list}",
                              "zh": "每个映射只能有一个组合条件，实有：{found:list}"},
    "condition_list_empty": {"en": "'{key_name}' takes a non-empty list of conditions", "zh": "“{key_name}”须为非空的条件列表"},
    "condition_quantifier_in_for_each": {"en": "'{key_name}' cannot be used inside a rule with for_each: {scope}",
                                         "zh": "带 for_each: {scope} 的规则中不能使用“{key_name}”"},
    "condition_unknown": {"en": "unknown condition '{key_name}'", "zh": "未知条件“{key_name}”"},
    "unknown_fact": {"en": "unknown fact '{name}'", "zh": "未知事实“{name}”"},
    "fact_scope_application": {
        "en": "'{name}' is a {scope} fact; here the condition is about the application "
              "(use for_each: {scope} on the rule, or any_{scope}/every_{scope})",
        "zh": "“{name}”是关于每个 {scope} 的事实，而此处的条件针对整个申请"
              "（请在规则上写 for_each: {scope}，或使用 any_{scope}/every_{scope}）"},
    "fact_scope_item": {
        "en": "'{name}' is a {scope} fact; here the condition is about each {here} "
              "(use for_each: {scope} on the rule, or any_{scope}/every_{scope})",
        "zh": "“{name}”是关于每个 {scope} 的事实，而此处的条件针对每个 {here}"
              "（请在规则上写 for_each: {scope}，或使用 any_{scope}/every_{scope}）"},
    "condition_no_operator": {"en": "no operator after fact '{name}': use one of {options:list}",
                              "zh": "事实“{name}”后缺少运算符：可用 {options:list}"},
    "condition_operators": {"en": "one operator per comparison, found: {found:list}",
                            "zh": "每个比较只能有一个运算符，实有：{found:list}"},
    "condition_unknown_operator": {"en": "unknown operator '{op}'", "zh": "未知运算符“{op}”"},
    "condition_not_integer": {"en": "'{name}' is a whole number; {value:written} is not",
                              "zh": "“{name}”是整数，{value:written}不是整数"},
    "condition_not_boolean": {"en": "'{name}' is true or false; {value:written} is not",
                              "zh": "“{name}”的值为 true 或 false，{value:written}不是"},
    "condition_not_date": {"en": "'{value}' is not a valid date (YYYY-MM-DD)", "zh": "“{value}”不是有效日期（YYYY-MM-DD）"},
    "condition_not_value": {"en": "'{value}' is not a value of '{name}'", "zh": "“{value}”不是“{name}”的可选值"},
    "condition_not_text": {"en": "'{name}' is text; compare it with text, not {value:written}",
                           "zh": "“{name}”是文本，请与文本比较，而不是{value:written}"},
    "condition_unknown_category": {"en": "unknown content category '{value}'", "zh": "未知内容类别“{value}”"},
    "condition_exists_boolean": {"en": "exists takes true or false", "zh": "exists 的值须为 true 或 false"},
    "condition_list_equals": {"en": "'{name}' is a list: use contains_any", "zh": "“{name}”是列表：请使用 contains_any"},
    "condition_compares_numbers": {"en": "'{op}' compares numbers or dates; '{name}' is {kind:fact_kind}",
                                   "zh": "“{op}”用于比较数字或日期，而“{name}”是{kind:fact_kind}"},
    "condition_in_single": {"en": "'{op}' needs a fact with single values; '{name}' is {kind:fact_kind}",
                            "zh": "“{op}”需要单值的事实，而“{name}”是{kind:fact_kind}"},
    "condition_values_empty": {"en": "'{op}' takes a non-empty list of values", "zh": "“{op}”须为非空的值列表"},
    "condition_contains_kind": {"en": "contains_any looks inside text or lists; '{name}' is {kind:fact_kind}",
                                "zh": "contains_any 用于在文本或列表中查找，而“{name}”是{kind:fact_kind}"},
    "condition_unknown_keywords": {"en": "unknown keyword list '{value}'", "zh": "未知关键词列表“{value}”"},
    "condition_contains_value": {"en": "contains_any takes a list of words or the name of a keyword list",
                                 "zh": "contains_any 的值须为词语列表或关键词列表的名称"},
    "condition_matches_kind": {"en": "matches tests text; '{name}' is {kind:fact_kind}",
                               "zh": "matches 用于检验文本，而“{name}”是{kind:fact_kind}"},
    "regex_not_text": {"en": "matches takes a regular expression as text", "zh": "matches 的值须为文本形式的正则表达式"},
    "regex_too_long": {"en": "regular expression longer than {limit} characters", "zh": "正则表达式超过 {limit} 个字符"},
    "regex_unsupported": {"en": "regular expression uses {feature}, which is not supported: pack patterns run on RE2, "
                                "which guarantees linear-time matching",
                          "zh": "正则表达式使用了不支持的 {feature}：规则包的正则表达式由 RE2 执行，以保证线性时间匹配"},
    "regex_repeat": {"en": "invalid repetition size {repetition}: RE2 repeats at most {limit} times",
                     "zh": "重复次数 {repetition} 无效：RE2 最多重复 {limit} 次"},
    "regex_too_large": {"en": "regular expression is too large (its repetitions expand beyond the {limit} KiB limit)",
                        "zh": "正则表达式过大（其重复展开后超过 {limit} KiB 的上限）"},
    "regex_nested_repeat": {"en": "invalid repetition size: RE2 repeats at most {limit} times, nested repetitions "
                                  "multiplied together",
                            "zh": "重复次数无效：RE2 最多重复 {limit} 次，嵌套的重复次数按乘积计算"},
    "regex_invalid": {"en": "invalid regular expression: {reason}", "zh": "正则表达式无效：{reason}"},
})


# --- rule packs: loading and checking (engine/packs.py)
MESSAGES.update({
    "pack_unknown_key": {"en": "unknown key '{name}'", "zh": "未知键“{name}”"},
    "pack_unknown_fact": {"en": "unknown fact '{name}' (docs/facts.md lists them)",
                          "zh": "未知事实“{name}”（所有事实见 docs/facts.md）"},
    "pack_unknown_name": {"en": "unknown name '{name}'", "zh": "未知名称“{name}”"},
    "pack_missing_translation": {"en": "missing the {name:language} translation '{name}' (texts need both zh and en)",
                                 "zh": "缺少{name:language}文本“{name}”（文本须同时有 zh 和 en）"},
    "pack_missing_key": {"en": "missing required key '{name}'", "zh": "缺少必需的键“{name}”"},
    "pack_date_no_day": {"en": "'{value}' is not a valid date: day is out of range for month",
                         "zh": "“{value}”不是有效日期：该月没有这一天"},
    "pack_date_no_month": {"en": "'{value}' is not a valid date: month must be in 1..12",
                           "zh": "“{value}”不是有效日期：月份须在 1 到 12 之间"},
    "pack_requirement_one_of": {"en": "a requirement names either 'document' or 'any_of', not both or neither",
                                "zh": "一项要求须写 document 或 any_of 之一，不能都写，也不能都不写"},
    "pack_limit_days_or_months": {
        "en": "a limit is in days or in calendar months, not both: give max_age_days or max_age_months "
              "(min_validity_days or min_validity_months), as the source counts",
        "zh": "期限以天或自然月计，不能同时使用：按依据文件的计法，写 max_age_days 或 max_age_months"
              "（min_validity_days 或 min_validity_months）之一"},
    "pack_not_snake_case": {"en": "'{value}' must be snake_case (lowercase letters, digits and _)",
                            "zh": "“{value}”须为 snake_case（小写字母、数字和下划线）"},
    "pack_schema_other": {"en": "{detail}", "zh": "不符合规则包格式：{detail}"},
    "pack_not_mapping": {"en": "a rule pack is a mapping with pack, version, title and rules",
                         "zh": "规则包须为映射，包含 pack、version、title 和 rules"},
    "pack_file_name": {"en": "pack '{pack}' must be in a file named {pack}.yaml, not {name}",
                       "zh": "规则包“{pack}”的文件名须为 {pack}.yaml，而不是 {name}"},
    "pack_national_extends": {"en": "the national pack extends nothing", "zh": "全国规则包不能继承其他规则包（不写 extends）"},
    "pack_province_extends": {"en": "a province pack must say 'extends: national'", "zh": "省级规则包须写明“extends: national”"},
    "pack_unknown_document": {"en": "unknown document '{name}'", "zh": "未知材料“{name}”"},
    "pack_unknown_source": {"en": "unknown source '{name}' (add it to the sources of this pack)",
                            "zh": "未知依据“{name}”（请将其加入本规则包的 sources）"},
    "pack_unknown_source_province": {
        "en": "unknown source '{name}' (add it to the sources of this pack or the national pack)",
        "zh": "未知依据“{name}”（请将其加入本规则包或全国规则包的 sources）"},
    "pack_third_party_blocking": {
        "en": "rule '{rule}' cites only third-party sources ({sources:list}): it may warn but not block; cite a document "
              "of a communications administration or an access provider that says it, or make the finding a warning",
        "zh": "规则“{rule}”只引用了第三方依据（{sources:list}）：只能提示，不能阻止备案；请引用通信管理局或接入服务商"
              "的文件，或将该结论改为 warning"},
    "pack_third_party_limit": {
        "en": "rule '{rule}' cites only third-party sources ({sources:list}): its time limit would refuse a document "
              "(a blocking finding); cite a document of a communications administration or an access provider that "
              "says it, or drop the limit",
        "zh": "规则“{rule}”只引用了第三方依据（{sources:list}）：其期限会导致材料被拒（阻止性结论）；请引用通信管理局"
              "或接入服务商的文件，或删去该期限"},
    "pack_text_unknown_fact": {"en": "unknown fact '{{{name}}}' in text", "zh": "文本中有未知事实“{{{name}}}”"},
    "pack_text_fact_scope_application": {"en": "'{{{name}}}' is a {scope} fact; this rule is about the application",
                                         "zh": "“{{{name}}}”是关于每个 {scope} 的事实，而本规则针对整个申请"},
    "pack_text_fact_scope_item": {"en": "'{{{name}}}' is a {scope} fact; this rule is about each {here}",
                                  "zh": "“{{{name}}}”是关于每个 {scope} 的事实，而本规则针对每个 {here}"},
    "pack_unknown_finding": {"en": "unknown finding '{name}' (add it to the findings catalogue)",
                             "zh": "未知结论“{name}”（请将其加入 findings 目录）"},
    "pack_rule_no_effect": {"en": "rule '{rule}' has no effect: give it require, findings, advice, footer, timeline "
                                  "or filing_required",
                            "zh": "规则“{rule}”没有任何作用：请给出 require、findings、advice、footer、timeline 或 filing_required"},
    "pack_effective_order": {"en": "effective_until must be after effective_from (the period is [from, until))",
                             "zh": "effective_until 须晚于 effective_from（有效期为 [from, until)）"},
    "pack_document_redefined": {"en": "document '{name}' is already defined by the base pack; ids are never reused",
                                "zh": "材料“{name}”已在基础规则包中定义；标识不得重复使用"},
    "pack_category_redefined": {"en": "category '{name}' is already defined by the base pack",
                                "zh": "类别“{name}”已在基础规则包中定义"},
    "pack_finding_redefined": {"en": "finding '{name}' is already defined by the base pack",
                               "zh": "结论“{name}”已在基础规则包中定义"},
    "pack_source_redefined": {"en": "source '{name}' is already defined by the base pack; cite it by its id",
                              "zh": "依据“{name}”已在基础规则包中定义；请直接按标识引用"},
    "pack_duplicate_rule": {"en": "duplicate rule id '{rule}' (first at rule {index}, line {first})",
                            "zh": "规则标识“{rule}”重复（首次出现在第 {index} 条规则，第 {first} 行）"},
    "pack_categories_unnamed": {"en": "the content categories {names:list} need names",
                                "zh": "内容类别 {names:list} 缺少名称"},
    "pack_disable_unknown": {"en": "no rule '{rule}' in the national pack to disable",
                             "zh": "全国规则包中没有要停用的规则“{rule}”"},
    "pack_replace_unknown": {"en": "no rule '{rule}' in the national pack to replace",
                             "zh": "全国规则包中没有要替换的规则“{rule}”"},
    "pack_replaced_twice": {"en": "rule '{rule}' is replaced twice", "zh": "规则“{rule}”被替换了两次"},
    "pack_rule_national_id": {"en": "rule id '{rule}' is a national rule: say 'replaces: {rule}' to replace it, "
                                    "or choose another id",
                              "zh": "规则标识“{rule}”是全国规则：如要替换，请写“replaces: {rule}”，否则请换一个标识"},
    "pack_rule_national_other": {"en": "rule id '{rule}' is a national rule that this pack does not replace",
                                 "zh": "规则标识“{rule}”是全国规则，而本规则包并未替换它"},
})


# --- rule packs: lint findings (engine/lint.py)
MESSAGES.update({
    "lint_never_fires": {"en": "rule '{rule}' can never fire: '{fact}' {described:and} — {why:contradiction}",
                         "zh": "规则“{rule}”永远不会触发：“{fact}” {described:and}——{why:contradiction}"},
    "lint_same_condition_other_effect": {
        "en": "rule '{rule}' has the same condition as '{other}' ({pack:pack}) but a different effect: {conflicts:versus}",
        "zh": "规则“{rule}”与“{other}”（{pack:pack}）条件相同，效果却不同：{conflicts:versus}"},
    "lint_repeats_national": {
        "en": "rule '{rule}' repeats national rule '{other}' (same condition, same {shared:messages}) without saying so: "
              "replace it or drop one",
        "zh": "规则“{rule}”重复了全国规则“{other}”（条件相同，{shared:messages}相同）却未声明：请替换它，或删去其中之一"},
    "lint_repeats": {"en": "rule '{rule}' repeats rule '{other}' (same condition, same {shared:messages})",
                     "zh": "规则“{rule}”重复了规则“{other}”（条件相同，{shared:messages}相同）"},
    # the effects two rules share or set differently (engine/lint.py), named for the reader
    "lint_effect_document": {"en": "{document:named}", "zh": "材料“{document:named}”"},
    "lint_effect_finding": {"en": "{finding:named}", "zh": "问题“{finding:named}”"},
    "lint_effect_footer": {"en": "footer", "zh": "页脚"},
    "lint_effect_timeline": {"en": "timeline", "zh": "办理时限"},
    "lint_effect_filing_required": {"en": "filing_required", "zh": "是否需要备案"},
    "lint_effect_footer_field": {"en": "footer {name:footer_field}", "zh": "页脚的{name:footer_field}"},
    "lint_effect_timeline_field": {"en": "timeline {name:timeline_field}", "zh": "办理时限中的{name:timeline_field}"},
    "lint_effect_severity": {"en": "finding {finding:named} severity", "zh": "问题“{finding:named}”的严重程度"},
    "lint_effect_limit": {"en": "{document:named} {name:limit}", "zh": "材料“{document:named}”的{name:limit}"},
    "lint_asked_after_refusal": {
        "en": "rule '{rule}' asks for {documents:named_list} for a {scope:scope} that rule '{other}' ({pack:pack}) refuses with the "
              "blocking finding '{finding:named}': add a condition so that it does not ask for what is refused",
        "zh": "规则“{rule}”要求为某个{scope:scope}提供 {documents:named_list}，而规则“{other}”（{pack:pack}）以阻止性结论"
              "“{finding:named}”拒绝了该{scope:scope}：请加一个条件，不要为被拒绝的对象索要材料"},
    "lint_asked_after_refusal_case": {
        "en": "rule '{rule}' asks for {documents:named_list} for a {scope:scope} that rule '{other}' ({pack:pack}) refuses with the "
              "blocking finding '{finding:named}' (test case '{case}'): add a condition so that it does not ask for what "
              "is refused",
        "zh": "规则“{rule}”要求为某个{scope:scope}提供 {documents:named_list}，而规则“{other}”（{pack:pack}）以阻止性结论"
              "“{finding:named}”拒绝了该{scope:scope}（测试用例“{case}”）：请加一个条件，不要为被拒绝的对象索要材料"},
    "lint_rule_expired": {
        "en": "rule '{rule}' stopped applying on {date} (effective_until): it only matters for --as-of dates before "
              "then; delete it when no longer needed",
        "zh": "规则“{rule}”已于 {date} 停止适用（effective_until）：只对此前的 --as-of 日期有意义；不再需要时请删除"},
    "lint_rule_review_due": {"en": "rule '{rule}' was due for review by {date}: re-check it against its source and "
                                   "move review_by forward",
                             "zh": "规则“{rule}”应在 {date} 前复核：请对照依据重新核对，并推后 review_by"},
    "lint_placeholder_section": {
        "en": "rule '{rule}' cites no real section of '{source}' ('{section}'): name the heading, question or clause, "
              "or leave section out",
        "zh": "规则“{rule}”引用的“{source}”章节（“{section}”）不是真实章节：请写明标题、问题或条款，或不写 section"},
    "lint_raw_key": {
        "en": "'{{{name}}}' would print a raw key (such as '{example}'): its values have no names to show; add them "
              "to facts.VALUE_NAMES or write the words out",
        "zh": "“{{{name}}}”会显示原始键（如“{example}”）：其取值没有可显示的名称；请在 facts.VALUE_NAMES 中补充，"
              "或直接写出文字"},
    "lint_pack_review_due": {"en": "pack '{pack:pack}' was due for review by {date}", "zh": "{pack:pack}应在 {date} 前复核"},
    "lint_placeholder_source_title": {
        "en": "source '{source}' has no real title ('{value}'): name the document a person can look up (SPEC §7a)",
        "zh": "依据“{source}”没有真实标题（“{value}”）：请写明可供查阅的文件名称（SPEC §7a）"},
    "lint_placeholder_source_publisher": {
        "en": "source '{source}' has no real publisher ('{value}'): name the document a person can look up (SPEC §7a)",
        "zh": "依据“{source}”没有真实发布者（“{value}”）：请写明可供查阅的文件的发布者（SPEC §7a）"},
    "lint_unknown_fixture": {"en": "unknown fixture '{name}'", "zh": "未知基础用例“{name}”"},
    "lint_test_rule_gone": {"en": "rule '{rule}' is replaced or disabled in {pack:pack}: it can never fire here",
                            "zh": "规则“{rule}”在{pack:pack}中已被替换或停用：在这里永远不会触发"},
    "lint_test_unknown_document": {"en": "test expects unknown document '{name}' in {pack:pack}",
                                   "zh": "测试期望的材料“{name}”在{pack:pack}中不存在"},
    "lint_test_unknown_finding": {"en": "test expects unknown finding '{name}' in {pack:pack}",
                                  "zh": "测试期望的结论“{name}”在{pack:pack}中不存在"},
    "lint_test_unknown_rule": {"en": "test expects unknown rule '{name}' in {pack:pack}",
                               "zh": "测试期望的规则“{name}”在{pack:pack}中不存在"},
    "lint_approved_tlds_age": {
        "en": "the list of MIIT-approved top-level domains was last checked on {date}, more than a year ago: compare "
              "it with {url} and move checked_on forward",
        "zh": "工信部批准的顶级域名列表最后核对于 {date}，已超过一年：请与 {url} 比对，并更新 checked_on"},
    "lint_unused_document": {"en": "document '{document:named}' is in the catalogue but no rule requires it",
                             "zh": "材料“{document:named}”在目录中，但没有规则要求它"},
})


# --- the durable backend (engine/durable_backend.py)
MESSAGES.update({
    "durable_not_importable": {
        "en": "the durable backend needs durable-rules 2.0.28, which is not importable here ({reason}); it builds on "
              "Python < 3.13 with a C compiler: {hint}, or use --backend python",
        "zh": "durable 后端需要 durable-rules 2.0.28，但此处无法导入（{reason}）；它需要 Python < 3.13 和 C 编译器才能构建："
              "{hint}，或改用 --backend python"},
    "durable_condition_too_large": {"en": "the condition is too large for durable_rules (more than {limit} branches)",
                                    "zh": "条件对 durable_rules 来说过大（超过 {limit} 个分支）"},
    "durable_number_range": {"en": "the number {value} is outside ±2**52, which durable_rules cannot compare exactly",
                             "zh": "数字 {value} 超出 ±2**52，durable_rules 无法精确比较"},
    "durable_too_many_properties": {
        "en": "{scope} facts would carry {count} properties; durable_rules accepts fewer than 252",
        "zh": "{scope} 事实将带有 {count} 个属性；durable_rules 只接受少于 252 个"},
    "durable_rule_unsupported": {"en": "rule {rule}: the durable backend cannot evaluate it: {reason:message}",
                                 "zh": "规则 {rule}：durable 后端无法评估它：{reason:message}"},
    "durable_ruleset_unsupported": {"en": "the durable backend cannot evaluate ruleset {pack:pack}: {reason:message}",
                                    "zh": "durable 后端无法评估{pack:pack}：{reason:message}"},
    "durable_refused": {"en": "durable_rules refused the rules of {pack:pack}: {detail}",
                        "zh": "durable_rules 拒绝了{pack:pack}的规则：{detail}"},
})


# --- labels, templates and the packs' texts in both languages (engine/translations.py)
MESSAGES.update({
    "labels_file_shape": {"en": "labels.yaml maps zh and en to {{label: text}}",
                          "zh": "labels.yaml 须把 zh 和 en 分别映射到 {{标签: 文本}}"},
    "label_no_text": {"en": "label '{name}' has no {lang:lang} text", "zh": "标签“{name}”没有{lang:lang}文本"},
    "label_only_in": {"en": "label '{name}' exists in {lang:lang} but has no {other:lang} text",
                      "zh": "标签“{name}”有{lang:lang}文本，但没有{other:lang}文本"},
    "label_missing": {"en": "label '{name}' is missing in {lang:lang}", "zh": "缺少{lang:lang}标签“{name}”"},
    "template_label_missing": {"en": "template uses label '{name}', which has no {lang:lang} text",
                               "zh": "模板使用的标签“{name}”没有{lang:lang}文本"},
    "value_name_missing": {"en": "{group} '{value}' has no {lang:lang} name", "zh": "{group}的取值“{value}”没有{lang:lang}名称"},
    "engine_finding_unnamed": {"en": "finding '{name}' (raised by the engine) has no name: add it to the findings "
                                     "catalogue (zh and en)",
                               "zh": "结论“{name}”（由引擎给出）没有名称：请将其加入 findings 目录（zh 和 en）"},
    "english_untranslated": {"en": "the English text looks untranslated (it has no Latin letters): '{value}'",
                             "zh": "英文文本似乎未翻译（不含拉丁字母）：“{value}”"},
})


# --- signed pack bundles (engine/bundle.py)
MESSAGES.update({
    "bundle_needs_cryptography": {"en": "signed bundles need the cryptography package: pip install 'icp-rulepacks[bundle]'",
                                  "zh": "签名规则包需要 cryptography 包：pip install 'icp-rulepacks[bundle]'"},
    "bundle_cannot_read_signing_key": {"en": "cannot read the signing key ({reason})", "zh": "无法读取签名私钥（{reason}）"},
    "bundle_cannot_read_public_key": {"en": "cannot read the public key ({reason})", "zh": "无法读取公钥（{reason}）"},
    "bundle_key_encrypted": {"en": "the signing key is encrypted; give an unencrypted PEM key "
                                   "(openssl genpkey -algorithm ed25519 -out KEY.pem)",
                             "zh": "签名私钥已加密；请提供未加密的 PEM 私钥（openssl genpkey -algorithm ed25519 -out KEY.pem）"},
    "bundle_not_private_key": {"en": "not a PEM private key (make one with: openssl genpkey -algorithm ed25519 -out KEY.pem)",
                               "zh": "不是 PEM 私钥（可用 openssl genpkey -algorithm ed25519 -out KEY.pem 生成）"},
    "bundle_private_not_ed25519": {"en": "the signing key is not an Ed25519 key (openssl genpkey -algorithm ed25519)",
                                   "zh": "签名私钥不是 Ed25519 密钥（openssl genpkey -algorithm ed25519）"},
    "bundle_not_public_key": {"en": "not a PEM public key (make one from the signing key with: "
                                    "openssl pkey -in KEY.pem -pubout -out KEY.pub)",
                              "zh": "不是 PEM 公钥（可由签名私钥生成：openssl pkey -in KEY.pem -pubout -out KEY.pub）"},
    "bundle_public_not_ed25519": {"en": "the public key is not an Ed25519 key", "zh": "公钥不是 Ed25519 密钥"},
    "bundle_not_zip": {"en": "not a pack bundle (not a zip file)", "zh": "不是规则包合集（不是 zip 文件）"},
    "bundle_too_many_members": {"en": "more than {limit} members: not a pack bundle",
                                "zh": "成员超过 {limit} 个：不是规则包合集"},
    "bundle_member_twice": {"en": "member {name} appears twice (a bundle that says two things is refused)",
                            "zh": "成员 {name} 出现了两次（内容自相矛盾的合集一律拒绝）"},
    "bundle_unsigned": {"en": "not a signed pack bundle: manifest.json or manifest.sig is missing",
                        "zh": "不是已签名的规则包合集：缺少 manifest.json 或 manifest.sig"},
    "bundle_other_key": {"en": "signed with another key (key id {signer}); the public key given is {expected}",
                         "zh": "由另一把密钥签名（密钥标识 {signer}）；所给公钥为 {expected}"},
    "bundle_bad_signature": {"en": "bad signature: manifest.json is not what was signed (changed after signing, "
                                   "or signed with another key)",
                             "zh": "签名无效：manifest.json 与签名时的内容不符（签名后被修改，或由另一把密钥签名）"},
    "bundle_unknown_format": {"en": "unknown bundle format (this version reads {format})",
                              "zh": "未知的合集格式（本版本读取 {format}）"},
    "bundle_manifest_malformed": {"en": "the manifest's file list is malformed", "zh": "清单中的文件列表格式错误"},
    "bundle_member_unsigned": {"en": "member {name} is not in the signed manifest (added after signing)",
                               "zh": "成员 {name} 不在已签名的清单中（签名后被加入）"},
    "bundle_member_name": {"en": "member name {name} is not allowed in a bundle", "zh": "合集中不允许成员名 {name}"},
    "bundle_member_missing": {"en": "member {name} is listed in the manifest but missing",
                              "zh": "成员 {name} 列在清单中，但合集中没有"},
    "bundle_member_changed": {"en": "member {name} was changed after signing (its digest differs from the manifest)",
                              "zh": "成员 {name} 在签名后被修改（其摘要与清单不符）"},
    "bundle_no_national": {"en": "the bundle has no rulepacks/national.yaml", "zh": "合集中没有 rulepacks/national.yaml"},
    "bundle_member_unreadable": {"en": "member {name} cannot be read ({reason})", "zh": "无法读取成员 {name}（{reason}）"},
    "bundle_member_larger": {"en": "member {name} is larger than its manifest says", "zh": "成员 {name} 比清单所写的大"},
})


# --- the command line (engine/cli.py): usage errors, and what it says besides problems
MESSAGES.update({
    "cli_usage": {"en": "Usage: {usage}", "zh": "用法：{usage}"},
    "cli_try_help": {"en": "Try '{command}' for help.", "zh": "查看帮助：{command}"},
    "cli_no_such_option": {"en": "no such option '{name}'", "zh": "没有选项“{name}”"},
    "cli_no_such_command": {"en": "no such command '{name}'", "zh": "没有命令“{name}”"},
    "cli_missing_argument": {"en": "missing argument {name}", "zh": "缺少参数 {name}"},
    "cli_missing_option": {"en": "missing option {name}", "zh": "缺少选项 {name}"},
    "cli_option_needs_value": {"en": "option {name} needs a value", "zh": "选项 {name} 需要一个值"},
    "cli_option_takes_no_value": {"en": "option {name} takes no value", "zh": "选项 {name} 不接受值"},
    "cli_cases_one_book": {"en": "--cases runs its cases on one set of packs, but the packs named are in several "
                                 "directories ({directories:list}): name packs of one directory",
                           "zh": "--cases 的用例只能在一组规则包上运行，但指定的规则包来自多个目录（{directories:list}）：请只指定同一目录中的规则包"},
    # what an option's type refuses (engine/cli.py IntRange, FloatRange, PathType)
    "cli_not_integer": {"en": "'{value}' is not a whole number", "zh": "“{value}”不是整数"},
    "cli_not_number": {"en": "'{value}' is not a number", "zh": "“{value}”不是数字"},
    "cli_not_in_range": {"en": "{value} is not between {low} and {high}", "zh": "{value} 不在 {low} 到 {high} 之间"},
    "cli_below_minimum": {"en": "{value} is less than {low}, the smallest allowed", "zh": "{value} 小于允许的最小值 {low}"},
    "cli_above_maximum": {"en": "{value} is more than {high}, the largest allowed", "zh": "{value} 大于允许的最大值 {high}"},
    "cli_path_missing": {"en": "'{value}' does not exist", "zh": "“{value}”不存在"},
    "cli_path_is_file": {"en": "'{value}' is a file, not a directory", "zh": "“{value}”是文件，不是目录"},
    "cli_path_is_directory": {"en": "'{value}' is a directory, not a file", "zh": "“{value}”是目录，不是文件"},
    "cli_path_not_readable": {"en": "'{value}' cannot be read (no permission)", "zh": "没有读取“{value}”的权限"},
    "cli_path_not_writable": {"en": "'{value}' cannot be written (no permission)", "zh": "没有写入“{value}”的权限"},
    "cli_bad_value": {"en": "invalid value for {name}: {reason:message}", "zh": "{name} 的值无效：{reason:message}"},
    "cli_detail": {"en": "{detail}", "zh": "{detail}"},
    "cli_extra_arguments": {"en": "unexpected extra arguments: {arguments:list}", "zh": "多余的参数：{arguments:list}"},
    "cli_usage_other": {"en": "{detail}", "zh": "用法错误：{detail}"},
    "cli_aborted": {"en": "aborted", "zh": "已中止"},
    "cli_schema_name": {"en": "name a schema (application, rulepack or result), or give --write DIR",
                        "zh": "请指定一个模式（application、rulepack 或 result），或给出 --write DIR"},
    "cli_no_directory": {"en": "no such directory (create it first)", "zh": "目录不存在（请先创建）"},
    "cli_jobs_with_scheduler": {"en": "--jobs is for a local batch; with --scheduler the cluster's workers do the work",
                                "zh": "--jobs 只用于本地批处理；使用 --scheduler 时由集群的工作节点处理"},
    "cli_needs_extra": {"en": "this command needs the '{extra}' extra ({missing:list} not installed): "
                              "pip install 'icp-rulepacks[{extra}]'",
                        "zh": "此命令需要“{extra}”附加组件（未安装 {missing:list}）：pip install 'icp-rulepacks[{extra}]'"},
    "cli_packs_or_bundle": {"en": "give --packs DIR or --bundle FILE, not both", "zh": "--packs DIR 与 --bundle FILE 只能给出其一"},
    "cli_bundle_needs_key": {"en": "--bundle FILE and --public-key KEY go together: a bundle is served only once it "
                                   "verifies with its key",
                             "zh": "--bundle FILE 与 --public-key KEY 须一起给出：规则包合集须经其公钥验证后才会提供服务"},
    "batch_summary": {
        "en": "batch: {lines:message}: {checked} checked ({blocking} with blocking findings), {failed} failed"
              "{failures:message}; {seconds} s, {rate} per second, {where:message}{output:message}{report:message}",
        "zh": "批处理：{lines:message}：已检查 {checked} 份（{blocking} 份有阻止性问题），失败 {failed} 份"
              "{failures:message}；用时 {seconds} 秒，每秒 {rate} 份，{where:message}{output:message}{report:message}"},
    "batch_line": {"en": "{count} line", "zh": "{count} 行"},
    "batch_lines": {"en": "{count} lines", "zh": "{count} 行"},
    "batch_failed_line": {"en": " (line {shown:list})", "zh": "（第 {shown:list} 行）"},
    "batch_failed_lines": {"en": " (lines {shown:list})", "zh": "（第 {shown:list} 行）"},
    "batch_on": {"en": "on {scheduler}", "zh": "在 {scheduler} 上运行"},
    "batch_job": {"en": "{jobs} job", "zh": "{jobs} 个进程"},
    "batch_jobs": {"en": "{jobs} jobs", "zh": "{jobs} 个进程"},
    "batch_output": {"en": " -> {output}", "zh": " -> {output}"},
    "batch_report": {"en": ", report {report}", "zh": "，报告 {report}"},
    "batch_progress_label": {"en": "checking", "zh": "检查中"},
    "batch_progress": {"en": "{lines} lines  {rate}/s", "zh": "{lines} 行  {rate} 份/秒"},
    "batch_stopped": {"en": "batch: stopped by {signal}", "zh": "批处理：被 {signal} 停止"},
    "batch_stopped_output": {"en": "batch: stopped by {signal}; {output} was not written and no decision was recorded",
                             "zh": "批处理：被 {signal} 停止；{output} 未写入，也未记录任何决定"},
    # summaries of validate, lint, test, fmt, schema and bundle; "{x:message}" holds a count: n_pack(s), …
    "n_pack": {"en": "{count} pack", "zh": "{count} 个规则包"},
    "n_packs": {"en": "{count} packs", "zh": "{count} 个规则包"},
    "n_problem": {"en": "{count} problem", "zh": "{count} 个问题"},
    "n_problems": {"en": "{count} problems", "zh": "{count} 个问题"},
    "n_error": {"en": "{count} error", "zh": "{count} 个错误"},
    "n_errors": {"en": "{count} errors", "zh": "{count} 个错误"},
    "n_warning": {"en": "{count} warning", "zh": "{count} 个警告"},
    "n_warnings": {"en": "{count} warnings", "zh": "{count} 个警告"},
    "n_file": {"en": "{count} file", "zh": "{count} 个文件"},
    "n_files": {"en": "{count} files", "zh": "{count} 个文件"},
    "validate_ok": {"en": "ok: {count:message} valid ({packs:packs})", "zh": "通过：{count:message}有效（{packs:packs}）"},
    "validate_problems": {"en": "{count:message} found", "zh": "发现{count:message}"},
    "lint_summary": {"en": "lint: {errors:message}, {warnings:message}", "zh": "lint：{errors:message}，{warnings:message}"},
    "coverage_below": {"en": "coverage {percent}% is below --fail-under {limit}%",
                       "zh": "覆盖率 {percent}% 低于 --fail-under {limit}%"},
    "test_summary": {"en": "{passed} passed, {failed} failed", "zh": "{passed} 个通过，{failed} 个失败"},
    "fmt_would_reformat": {"en": "would reformat {file}", "zh": "需要重新格式化 {file}"},
    "fmt_reformatted": {"en": "reformatted {file}", "zh": "已重新格式化 {file}"},
    "fmt_summary": {"en": "{changed:message} reformatted, {same} already formatted{problems:message}",
                    "zh": "已重新格式化{changed:message}，{same} 个已符合格式{problems:message}"},
    "fmt_summary_check": {"en": "{changed:message} would be reformatted, {same} already formatted{problems:message}",
                          "zh": "{changed:message}需要重新格式化，{same} 个已符合格式{problems:message}"},
    "fmt_problems": {"en": ", {count:message}", "zh": "，{count:message}"},
    "schema_unchanged": {"en": "unchanged {file}", "zh": "未改变 {file}"},
    "schema_wrote": {"en": "wrote {file}", "zh": "已写入 {file}"},
    "bundle_wrote": {"en": "wrote {file}: {files:message} ({packs:message}), key id {key}",
                     "zh": "已写入 {file}：{files:message}（{packs:message}），密钥标识 {key}"},
    "bundle_verified": {"en": "ok: {file} verifies (key id {key}): {files:message}, {packs:message} ({names:packs})",
                        "zh": "通过：{file} 验证成功（密钥标识 {key}）：{files:message}，{packs:message}（{names:packs}）"},
    "cli_interrupted": {"en": "interrupted", "zh": "已中断"},
    "cli_too_deep": {"en": "error: input is nested too deeply to process", "zh": "错误: 输入嵌套过深，无法处理"},
    "cli_internal_error": {"en": "internal error: {kind}: {detail} (please report this)",
                           "zh": "内部错误：{kind}: {detail}（请报告此问题）"},
})


# --- a pack's test cases (engine/packtests.py): how a result differs from what a case expects
MESSAGES.update({
    "case_ids_differ": {"en": "{label} differ (- expected but missing, + present but not expected):\n{lines:lines}",
                        "zh": "{label} 不符（- 期望有而没有，+ 有而未期望）：\n{lines:lines}"},
    "case_diff_line": {"en": "  {mark} {id}{why:message}", "zh": "  {mark} {id}{why:message}"},
    "case_required_by": {"en": "    <- required by {rules}", "zh": "    <- 由 {rules} 要求"},
    "case_raised_by": {"en": "    <- raised by {rule}", "zh": "    <- 由 {rule} 提出"},
    "case_document_missing": {"en": "documents: expected {name} to be required; required: {found:list_or_none}",
                              "zh": "documents：期望要求 {name}；实际要求：{found:list_or_none}"},
    "case_document_unexpected": {"en": "documents: expected {name} not to be required, but it is (required by {rules})",
                                 "zh": "documents：期望不要求 {name}，但实际要求了（由 {rules} 要求）"},
    "case_finding_missing": {"en": "findings: expected {name}; found {found:list_or_none}",
                             "zh": "findings：期望有 {name}；实际为：{found:list_or_none}"},
    "case_finding_unexpected": {"en": "findings: expected no {name}, but it was found (raised by {rule})",
                                "zh": "findings：期望没有 {name}，但实际出现了（由 {rule} 给出）"},
    "case_rule_not_fired": {"en": "rules: expected {rule} to fire; fired: {fired:list_or_none} "
                                  "(icp-rules explain APP --rule {rule} says why)",
                            "zh": "rules：期望 {rule} 触发；实际触发：{fired:list_or_none}"
                                  "（icp-rules explain APP --rule {rule} 可说明原因）"},
    "case_rule_fired": {"en": "rules: expected {rule} not to fire, but it did", "zh": "rules：期望 {rule} 不触发，但它触发了"},
    "case_value_differs": {"en": "{name}: expected {expected}, actual {actual}", "zh": "{name}：期望 {expected}，实际 {actual}"},
    "case_limit_differs": {"en": "{name}: expected {expected}, actual {actual}", "zh": "{name}：期望 {expected}，实际 {actual}"},
    "case_limit_not_required": {"en": "{name}: expected {expected}, actual not required",
                                "zh": "{name}：期望 {expected}，实际并未要求该材料"},
    "case_no_pack": {"en": "no pack '{name}' in {directory}", "zh": "{directory} 中没有规则包“{name}”"},
    "case_no_pack_hint": {"en": "no pack '{name}' in {directory} (did you mean '{suggestion}'?)",
                          "zh": "{directory} 中没有规则包“{name}”（是否想写“{suggestion}”？）"},
    "case_unknown_fixture": {"en": "unknown fixture '{name}'; known: {known:list}", "zh": "未知基础用例“{name}”；已有：{known:list}"},
    "case_invalid_application": {"en": "the test application is invalid:\n{problems:problems}",
                                 "zh": "测试用的申请无效：\n{problems:problems}"},
    "case_other_pack": {"en": "the application was evaluated in {used:pack}, not {pack:pack}", "zh": "该申请按{used:pack}评估，而不是{pack:pack}"},
})


# --- condition coverage (engine/coverage.py), the text report of icp-rules test --coverage
MESSAGES.update({
    "n_rule": {"en": "{count} rule", "zh": "{count} 条规则"},
    "n_rules": {"en": "{count} rules", "zh": "{count} 条规则"},
    "coverage_uncovered": {"en": "UNCOVERED {file}:{line}  {pack}: {rule} (no case fires it)",
                           "zh": "UNCOVERED {file}:{line}  {pack}: {rule}（没有测试用例触发它）"},
    "coverage_partial": {"en": "PARTIAL {file}:{line}:{column}  {pack}: {rule} {path}: {condition}: never {never:outcomes}",
                         "zh": "PARTIAL {file}:{line}:{column}  {pack}: {rule} {path}: {condition}：从未为{never:outcomes}"},
    "coverage_pack": {"en": "coverage {pack}: {covered}/{total} condition outcomes ({percent}%), unknown reached at "
                            "{reached}/{possible} nodes, {never:message} never fired",
                      "zh": "覆盖率 {pack}：{covered}/{total} 个条件结果（{percent}%），{reached}/{possible} 个节点出现过未知，"
                            "{never:message}从未触发"},
    "coverage_total": {"en": "coverage: {covered}/{total} condition outcomes ({percent}%) in {packs:message}",
                       "zh": "覆盖率：{covered}/{total} 个条件结果（{percent}%），共 {packs:message}"},
})


# Words for values that are words themselves, per format spec and language ({kind:fact_kind}).
_VOCABULARY: dict[str, dict[str, dict[str, str]]] = {
    "type": _TYPES,
    "fact_kind": _FACT_KINDS,
    "language": {"en": {"zh": "Chinese", "en": "English"}, "zh": {"zh": "中文", "en": "英文"}},
    "scope": {
        "en": {},  # English names the scope by its key, as pack authors write it
        "zh": {"application": "申请", "person": "人员", "website": "网站", "app": "App", "domain": "域名",
               "category": "内容类别", "document": "材料"},
    },
    "person_field": {
        "en": {"birth_date": "birth date", "certificate_type": "certificate type",
               "certificate_expires_on": "certificate expires on"},
        "zh": {"name": "姓名", "identity": "身份", "birth_date": "出生日期", "certificate_type": "证件类型",
               "certificate_expires_on": "证件有效期"},
    },
    "outcome": {"en": {}, "zh": {"true": "真", "false": "假", "unknown": "未知"}},
    "lang": {"en": {}, "zh": {"zh": "中文（zh）", "en": "英文（en）"}},
    # a rule's effects (engine/lint.py): English names them by the keys an author writes
    "footer_field": {"en": {}, "zh": {"number_kind": "备案号类型", "copyright_required": "是否须标注版权信息"}},
    "timeline_field": {"en": {}, "zh": {
        "provider_review_working_days": "接入商初审工作日数", "bureau_review_working_days": "管局审核工作日数",
        "sms_verification_hours": "工信部短信核验时限（小时）", "public_security_filing_days": "公安联网备案期限（天）",
        "change_filing_days": "变更备案期限（天）"}},
    "limit": {"en": {}, "zh": {"max_age_days": "开具后最长天数", "min_validity_days": "最短剩余有效天数",
                               "max_age_months": "开具后最长月数", "min_validity_months": "最短剩余有效月数"}},
    "effect_value": {"en": {}, "zh": {"True": "是", "False": "否", "None": "无", "blocking": "阻断", "warning": "提醒",
                                      "info": "说明", "subject": "主体备案号", "website": "网站备案号"}},
    "contradiction": {
        "en": {"range": "no value is in the range they allow", "empty": "no value satisfies all of them",
               "boolean": "a true-or-false fact cannot be neither"},
        "zh": {"range": "没有值落在它们允许的范围内", "empty": "没有值能同时满足它们", "boolean": "真假值事实不可能既非真也非假"},
    },
}
_AND = {"en": " and ", "zh": " 且 "}
_SEMI = {"en": "; ", "zh": "；"}
_NONE = {"en": "none", "zh": "无"}
_VERSUS = {"en": "{0} {1} versus {2}", "zh": "{0}：{1} 与 {2} 不同"}


def pack_name(key: str, lang: str) -> str:
    """A pack by its name: 全国规则包 / 广东规则包 in Chinese; its key (national, guangdong) in English,
    the file name a pack author looks for."""
    if lang != "zh":
        return key
    if key == "national":
        return "全国规则包"
    from .provinces import resolve  # the ground floor, as this module

    province = resolve(key)
    return f"{province.short}规则包" if province is not None else key


# Chinese text puts one space between a Chinese character and an ASCII letter or digit (不能小于 3,
# 缺少全国规则包 national.yaml) and none between two Chinese characters: the rule most of the
# catalogue was written to, which tests/test_messages.py now holds every entry to. A value may start
# or end in either script (true 或 false, 2 个问题, 广东规则包), so the seams between the catalogue's
# text and the values put in it are spaced as the message is made, in Chinese only. A value itself
# is never changed: it may be what a person wrote. check.js does the same for the intake page.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9]")
SPACED_LANGS = ("zh",)


def spaced(pieces: Iterable[tuple[str, bool]]) -> str:
    """``pieces`` (text, whether the catalogue wrote it) joined with the seams spaced by the rule
    above: a space added where a Chinese character meets an ASCII letter or digit, the catalogue's
    own spaces taken away where two Chinese characters meet."""
    out, owned = "", 0  # owned: how many of out's last characters the catalogue wrote
    for piece, written in pieces:
        if not piece:
            continue
        left = out[:len(out) - owned] + out[len(out) - owned:].rstrip(" ") if owned else out
        right = piece.lstrip(" ") if written else piece
        a, b = left[-1:], right[:1]
        if a and b:
            if (_HAN.match(a) and _WORD.match(b)) or (_WORD.match(a) and _HAN.match(b)):
                if left == out and right == piece:  # no space at the seam yet
                    piece = " " + piece
            elif _HAN.match(a) and _HAN.match(b):
                out, piece = left, right
        out += piece
        owned = len(piece) if written else 0
    return out


class _Formatter(string.Formatter):
    def __init__(self, lang: str):
        self.lang = lang

    def fill(self, template: str, args: Mapping[str, Any] | tuple[Any, ...]) -> str:
        """``template`` with ``args`` (names, or positions), spaced at its seams where the language wants it."""
        positional, named = (args, {}) if isinstance(args, tuple) else ((), args)
        if self.lang not in SPACED_LANGS:
            return self.vformat(template, positional, named)
        pieces: list[tuple[str, bool]] = []
        for literal, name, spec, conversion in self.parse(template):
            pieces.append((literal, True))
            if name is not None:
                value, _ = self.get_field(name, positional, named)
                pieces.append((self.format_field(self.convert_field(value, conversion), spec or ""), False))
        return spaced(pieces)

    def join(self, separator: str, items: Iterable[str]) -> str:
        """``items`` joined by the catalogue's ``separator`` (或, 且), spaced as a message is."""
        pieces: list[tuple[str, bool]] = []
        for index, item in enumerate(items):
            pieces += [(separator, True)] * (index > 0) + [(item, False)]
        return spaced(pieces) if self.lang in SPACED_LANGS else "".join(p for p, _ in pieces)

    def format_field(self, value: Any, format_spec: str) -> str:
        words = _TYPES[self.lang]
        if format_spec in _VOCABULARY:
            vocabulary = _VOCABULARY[format_spec][self.lang]
            return vocabulary.get(str(value), str(value))
        if format_spec == "types":
            return self.join(_OR[self.lang], (words.get(str(v), str(v)) for v in _as_list(value)))
        if format_spec.endswith("s") and format_spec[:-1] in _VOCABULARY:  # a list of words: {fields:person_fields}
            vocabulary = _VOCABULARY[format_spec[:-1]][self.lang]
            return _LIST_SEP[self.lang].join(vocabulary.get(str(v), str(v)) for v in _as_list(value))
        if format_spec == "list":
            return _LIST_SEP[self.lang].join(str(v) for v in _as_list(value))
        if format_spec == "list_or_none":
            return _LIST_SEP[self.lang].join(str(v) for v in _as_list(value)) if value else _NONE[self.lang]
        if format_spec == "problems":  # located problems (engine.errors.Problem), one a line
            return "\n".join(p.format(self.lang) for p in _as_list(value))
        if format_spec == "and":
            return self.join(_AND[self.lang], (str(v) for v in _as_list(value)))
        if format_spec == "pack":
            return pack_name(str(value), self.lang)
        if format_spec == "packs":
            return _LIST_SEP[self.lang].join(pack_name(str(v), self.lang) for v in _as_list(value))
        if format_spec == "message":  # a message inside a message: (id, ((name, value), …)), or nothing
            if not value:
                return ""
            message_id, args = value
            return text(message_id, self.lang, args)
        if format_spec == "versus":  # (what, one, other) triples: two rules' differing effects, what as a message
            values = _VOCABULARY["effect_value"][self.lang]
            return _SEMI[self.lang].join(
                self.fill(_VERSUS[self.lang], (self.format_field(what, "message"), values.get(one, one), values.get(other, other)))
                for what, one, other in _as_list(value))
        if format_spec == "messages":  # a list of messages, each (id, args)
            return _LIST_SEP[self.lang].join(self.format_field(item, "message") for item in _as_list(value))
        if format_spec == "lines":  # a list of messages, one a line
            return "\n".join(self.format_field(item, "message") for item in _as_list(value))
        if format_spec == "named":  # (key, ((lang, name), …)): its name in Chinese, its key in English
            key, names = value
            return str(dict(names).get(self.lang, key)) if self.lang != "en" else str(key)
        if format_spec == "line_note":  # the line something was first given on, when it is known
            return "" if value is None else _LINE_NOTE[self.lang].format(line=value)
        if format_spec == "differ":  # the verb after a list of what differs
            return _DIFFER[self.lang][0 if len(_as_list(value)) == 1 else 1]
        if format_spec == "written":  # (JSON type, text): a value from a pack, as YAML writes it
            kind, shown = value
            if kind == "string":
                return f"“{shown}”" if self.lang == "zh" else f"'{shown}'"
            return shown if kind in ("integer", "number", "boolean") else _TYPES[self.lang].get(kind, kind)
        if format_spec == "named_list":  # several of those
            return _LIST_SEP[self.lang].join(self.format_field(item, "named") for item in _as_list(value))
        return super().format_field(value, format_spec)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def text(message_id: str, lang: str = "en", args: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> str:
    """The message ``message_id`` in ``lang`` (an unknown language reads English)."""
    entry = MESSAGES[message_id]
    template = entry.get(lang) or entry["en"]
    return _Formatter(lang if lang in _TYPES else "en").fill(template, dict(args))


def counted(message_id: str, count: int) -> tuple[str, tuple[tuple[str, int], ...]]:
    """``count`` things, as a message inside a message ({x:message}): ``message_id`` for one, its
    plural (``message_id`` + "s": n_pack, n_packs) for any other number."""
    return (message_id if count == 1 else message_id + "s", (("count", count),))


def length_note(length: int, lang: str) -> str:
    """What follows a long text shown by its start (``'abc…'``): its length, in ``lang``."""
    return _LENGTH_NOTE.get(lang, _LENGTH_NOTE["en"]).format(length=length)


def check_lang(lang: str) -> str:
    """``lang`` if it is one this catalogue speaks, else a ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (use {', '.join(LANGS)})")
    return lang


def catalogue(ids: Iterable[str], lang: str) -> dict[str, Any]:
    """The entries ``ids`` in ``lang``, with the words of the formats: what a page needs to word
    these messages itself, exactly as ``text`` does (the intake page checks fields in the browser)."""
    lang = lang if lang in _TYPES else "en"
    return {"messages": {i: MESSAGES[i].get(lang) or MESSAGES[i]["en"] for i in ids},
            "types": _TYPES[lang], "or": _OR[lang], "list_sep": _LIST_SEP[lang], "spaced": lang in SPACED_LANGS,
            "length_note": _LENGTH_NOTE[lang]}
