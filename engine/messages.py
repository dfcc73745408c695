"""Every message a person can be shown about their input, in Chinese and English, as data.

A problem carries a message id and its arguments (``engine.errors.Problem``); the text is made
here and nowhere else, in the reader's language, when it is shown. The English text stays the
problem's ``message`` for callers that read it, as before.

To add a message: add an entry to ``MESSAGES`` with both languages (tests/test_messages.py fails
on an entry missing one, or on a placeholder one language lacks) and raise it with
``errors.problem("your_id", arg=...)`` or ``SourceMap.problem(path, "your_id", arg=...)``.

Placeholders use ``str.format`` syntax. A format spec names a vocabulary for values that are
words themselves: ``{found:type}`` (a JSON type name), ``{expected:types}`` (a list of them),
``{options:list}`` (a list of values, quoted by nothing, joined with commas).
"""

from __future__ import annotations

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
_OR = {"en": " or ", "zh": "或"}
_LIST_SEP = {"en": ", ", "zh": "、"}

MESSAGES: dict[str, dict[str, str]] = {
    # apps[] (engine/application.py): package names per platform, mini program AppIDs, signature MD5
    "app_package_android": {"en": "'{value}' is not an Android package name: two or more dot-separated parts, each starting "
                                  "with a letter, of letters, digits and _ (com.example.app)",
                            "zh": "“{value}”不是有效的安卓包名：至少两段、以点分隔，每段以字母开头，只含字母、数字和下划线（如 com.example.app）"},
    "app_package_ios": {"en": "'{value}' is not an iOS bundle id: letters, digits, hyphens and dots, no empty part (com.example.app)",
                        "zh": "“{value}”不是有效的iOS Bundle ID：只含字母、数字、连字符和点，不能有空段（如 com.example.app）"},
    "app_package_harmony": {"en": "'{value}' is not a HarmonyOS bundle name: 7-128 characters, starting with a letter, two or "
                                  "more dot-separated parts of letters, digits and _ (com.example.app)",
                            "zh": "“{value}”不是有效的鸿蒙包名：7–128个字符，以字母开头，至少两段、以点分隔，只含字母、数字和下划线（如 com.example.app）"},
    "app_package_quick_app": {"en": "'{value}' is not a quick app package name: two or more dot-separated parts, each starting "
                                    "with a letter, of letters, digits and _ (com.example.app)",
                              "zh": "“{value}”不是有效的快应用包名：至少两段、以点分隔，每段以字母开头，只含字母、数字和下划线（如 com.example.app）"},
    "app_package_any": {"en": "'{value}' is not a package name or bundle id (com.example.app)",
                        "zh": "“{value}”不是有效的包名或Bundle ID（如 com.example.app）"},
    "mini_program_appid_wechat": {"en": "'{value}' is not a mini program AppID: a WeChat mini program AppID is 'wx' followed by "
                                        "16 hexadecimal digits",
                                  "zh": "“{value}”不是有效的小程序AppID：微信小程序的AppID为“wx”加16位十六进制数字"},
    "mini_program_appid_douyin": {"en": "'{value}' is not a mini program AppID: a Douyin mini program AppID is 'tt' followed by "
                                        "16 hexadecimal digits",
                                  "zh": "“{value}”不是有效的小程序AppID：抖音小程序的AppID为“tt”加16位十六进制数字"},
    "mini_program_appid": {"en": "'{value}' is not a mini program AppID: a mini program AppID is 6-32 letters and digits "
                                 "(WeChat: wx and 16 hexadecimal digits)",
                           "zh": "“{value}”不是有效的小程序AppID：应为6–32位字母和数字（微信小程序为wx加16位十六进制数字）"},
    "signature_md5_invalid": {"en": "'{value}' is not a signature MD5 (32 hexadecimal digits, optionally in colon-separated pairs)",
                              "zh": "“{value}”不是有效的签名MD5（32位十六进制数字，可用冒号两两分隔）"},
    # --- how a problem is shown
    "did_you_mean": {"en": " (did you mean '{suggestion}'?)", "zh": "（是否想写“{suggestion}”？）"},
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
    "domain_fullwidth": {"en": "'{value}' holds full-width punctuation ('{char}'): write one domain per entry, "
                               "with ASCII dots",
                         "zh": "“{value}”含有全角标点（“{char}”）：每项只写一个域名，并使用半角点号"},
    "as_of_not_date": {"en": "'{value}' is not a date (YYYY-MM-DD)", "zh": "“{value}”不是日期（YYYY-MM-DD）"},
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
    "invalid_json": {"en": "invalid JSON: {detail}", "zh": "JSON 格式错误：{detail}"},
    "invalid_yaml": {"en": "invalid YAML: {detail}", "zh": "YAML 格式错误：{detail}"},
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
    # --- writing files (engine/output.py, engine/audit.py)
    "overwrite_input": {"en": "refusing to write over an input file", "zh": "拒绝覆盖输入文件"},
    "output_twice": {"en": "this file is already an output of the command (-o and --audit must be different files)",
                     "zh": "该文件已是本命令的另一个输出（-o 与 --audit 必须是不同的文件）"},
    "not_regular_output": {"en": "is not a regular file (a device, FIFO or socket); only regular files are written",
                           "zh": "不是普通文件（设备、FIFO 或套接字）；只写入普通文件"},
    "file_exists": {"en": "file exists; pass --force to replace it", "zh": "文件已存在；如需替换请加 --force"},
    "no_such_directory": {"en": "directory does not exist", "zh": "目录不存在"},
    "audit_open": {"en": "cannot open audit file: {reason}", "zh": "无法打开审计文件：{reason}"},
    # --- the HTTP service and batch
    "body_too_large": {"en": "request body is {size} bytes, over the limit of {limit} bytes",
                       "zh": "请求体有 {size} 字节，超过上限 {limit} 字节"},
    "body_over_limit": {"en": "request body is over the limit of {limit} bytes", "zh": "请求体超过上限 {limit} 字节"},
    "body_empty": {"en": "empty body: send one application as a JSON object", "zh": "请求体为空：请发送一个 JSON 对象形式的申请"},
    "body_not_utf8": {"en": "body is not UTF-8 text (byte {byte} is invalid)", "zh": "请求体不是 UTF-8 文本（第 {byte} 字节无效）"},
    "body_not_object": {"en": "send one application as a JSON object", "zh": "请发送一个 JSON 对象形式的申请"},
    "body_timeout": {"en": "the request body did not arrive within {seconds} s", "zh": "请求体未在 {seconds} 秒内送达"},
    "body_not_json_type": {"en": "send the application as JSON with Content-Type: application/json (this request's: {shown})",
                           "zh": "请以 JSON 发送申请，并带 Content-Type: application/json（本请求的是：{shown}）"},
    "query_not_date": {"en": "'{value}' is not a date (expected YYYY-MM-DD)", "zh": "“{value}”不是日期（格式为 YYYY-MM-DD）"},
    "invalid_request": {"en": "invalid request", "zh": "无效请求"},
    "request_field": {"en": "{detail}", "zh": "请求参数无效：{detail}"},
    "unknown_format": {"en": "unknown format '{value}' (use {options:list})", "zh": "未知格式“{value}”（可用 {options:list}）"},
    "unknown_lang": {"en": "unknown language '{value}' (use {options:list})", "zh": "未知语言“{value}”（可用 {options:list}）"},
    "line_too_long": {"en": "line is {size} bytes, over the limit of {limit} bytes", "zh": "该行有 {size} 字节，超过上限 {limit} 字节"},
    "line_not_utf8": {"en": "not UTF-8 text (byte {byte} of the line is invalid)", "zh": "不是 UTF-8 文本（该行第 {byte} 字节无效）"},
    "line_empty": {"en": "empty line: expected one application as a JSON object", "zh": "空行：每行应为一个 JSON 对象形式的申请"},
    "line_not_object": {"en": "expected one application as a JSON object on this line", "zh": "该行应为一个 JSON 对象形式的申请"},
    "worker_stopped": {"en": "a batch worker stopped unexpectedly (were the rule packs changed while the batch "
                             "started, or is memory short?)",
                       "zh": "批处理的工作进程意外停止（批处理启动时规则包是否被修改？或内存不足？）"},
    # --- rule books, templates, explain, diff, case files
    "unknown_backend": {"en": "unknown backend '{value}' (available: {options:list})",
                        "zh": "未知后端“{value}”（可用：{options:list}）"},
    "no_packs_directory": {"en": "no such directory of rule packs", "zh": "规则包目录不存在"},
    "no_national_pack": {"en": "the national pack national.yaml is missing", "zh": "缺少全国规则包 national.yaml"},
    "no_pack_named": {"en": "no pack named '{value}'", "zh": "没有名为“{value}”的规则包"},
    "no_templates_directory": {"en": "no such directory of templates", "zh": "模板目录不存在"},
    "template_not_found": {"en": "template not found: {name}", "zh": "找不到模板：{name}"},
    "template_error": {"en": "template error: {detail}", "zh": "模板错误：{detail}"},
    "no_rule": {"en": "no rule '{rule}' in the rules for {pack}", "zh": "{pack} 的规则中没有“{rule}”"},
    "no_applications": {"en": "no such application file or directory", "zh": "申请文件或目录不存在"},
    "no_cases": {"en": "no such file or directory of test cases", "zh": "测试用例文件或目录不存在"},
    "durable_missing": {"en": "{detail}", "zh": "durable 后端不可用：{detail}"},
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


class _Formatter(string.Formatter):
    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        words = _TYPES[self.lang]
        if format_spec == "type":
            return words.get(str(value), str(value))
        if format_spec == "types":
            return _OR[self.lang].join(words.get(str(v), str(v)) for v in _as_list(value))
        if format_spec == "list":
            return _LIST_SEP[self.lang].join(str(v) for v in _as_list(value))
        return super().format_field(value, format_spec)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def text(message_id: str, lang: str = "en", args: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> str:
    """The message ``message_id`` in ``lang`` (an unknown language reads English)."""
    entry = MESSAGES[message_id]
    template = entry.get(lang) or entry["en"]
    return _Formatter(lang if lang in _TYPES else "en").vformat(template, (), dict(args))


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
            "types": _TYPES[lang], "or": _OR[lang], "list_sep": _LIST_SEP[lang]}
