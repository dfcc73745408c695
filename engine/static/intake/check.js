// The application check, in the browser: what the schema alone decides (required fields, types,
// enums, dates, patterns, lengths, minimums), worded from the CLI's own message catalogue, which
// /intake/config sends with the schema (engine/messages.py: no text is written here). It mirrors
// engine/application.py's _schema_problems step by step (jsonschema's keywords in the schema's
// order, the same hints: synonyms, closest names, 长期 for a date, masked certificate numbers), so
// a mistake reads exactly as `icp-rules check` prints it; tests/test_intake_browser.py runs it over
// a table of mistakes against the Python check. The server still checks every answer, and is the
// authority: checksums, domain names and provinces are its alone.
(function (global) {
  "use strict";

  var MAX_SHOWN = 80; // engine/errors.py: a long value is shown by its start and its length
  // engine/text.py neutralise: control and bidirectional characters never reach a reader
  var UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/gu;
  // engine/application.py _NUMBER_SHAPES (Python's \d: any decimal digit)
  var NUMBER_SHAPES = /(?<![0-9A-Za-z])(?:\p{Nd}{17}[\p{Nd}Xx]|\p{Nd}{15}|[0-9A-HJ-NPQRTUWXY]{2}\p{Nd}{6}[0-9A-HJ-NPQRTUWXY]{10}|[A-Za-z]{1,2}\p{Nd}{7,10})(?![0-9A-Za-z])/gu;
  var LONG_QUOTED = new RegExp("'([^'\\n]{" + (MAX_SHOWN + 1) + ",})'", "gu");

  function chars(s) { return Array.from(s); } // Python counts code points
  function has(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

  // ---- Python's str() of a value, as str.format shows an argument -------------------------------
  function pyRepr(v) {
    if (typeof v === "string") {
      var q = v.indexOf("'") >= 0 && v.indexOf('"') < 0 ? '"' : "'";
      var body = v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
      if (q === "'") body = body.replace(/'/g, "\\'");
      return q + body + q;
    }
    if (Array.isArray(v)) return "[" + v.map(pyRepr).join(", ") + "]";
    if (isObject(v)) return "{" + Object.keys(v).map(function (k) { return pyRepr(k) + ": " + pyRepr(v[k]); }).join(", ") + "}";
    return pyStr(v);
  }

  function pyStr(v, top) {
    if (typeof v === "string") return v;
    if (v === true) return "True";
    if (v === false) return "False";
    if (v === null || v === undefined) return "None";
    if (typeof v === "number") return String(v);
    // errors.problem() turns a list argument into a tuple
    if (Array.isArray(v) && top) return "(" + v.map(pyRepr).join(", ") + (v.length === 1 ? ",)" : ")");
    return pyRepr(v);
  }

  // Python's str.strip(): its white space (JavaScript's \s also holds U+FEFF, Python's does not)
  var PY_SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  var PY_STRIP = new RegExp("^" + PY_SPACE + "+|" + PY_SPACE + "+$", "g");
  function pyStrip(s) { return s.replace(PY_STRIP, ""); }

  // ---- engine/suggest.py closest: difflib.get_close_matches(n=1, cutoff=0.6), then case ---------
  function matches(a, b) {
    // difflib.SequenceMatcher(None, a, b): the total size of its matching blocks
    var b2j = new Map();
    b.forEach(function (ch, j) { if (!b2j.has(ch)) b2j.set(ch, []); b2j.get(ch).push(j); });
    if (b.length >= 200) { // autojunk: popular elements are left out of b2j
      var ntest = Math.floor(b.length / 100) + 1;
      Array.from(b2j.keys()).forEach(function (ch) { if (b2j.get(ch).length > ntest) b2j.delete(ch); });
    }
    function longest(alo, ahi, blo, bhi) {
      var besti = alo, bestj = blo, bestsize = 0, j2len = new Map();
      for (var i = alo; i < ahi; i++) {
        var next = new Map(), js = b2j.get(a[i]) || [];
        for (var n = 0; n < js.length; n++) {
          var j = js[n];
          if (j < blo) continue;
          if (j >= bhi) break;
          var k = (j2len.get(j - 1) || 0) + 1;
          next.set(j, k);
          if (k > bestsize) { besti = i - k + 1; bestj = j - k + 1; bestsize = k; }
        }
        j2len = next;
      }
      while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) { besti--; bestj--; bestsize++; }
      while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) bestsize++;
      return [besti, bestj, bestsize];
    }
    var total = 0, queue = [[0, a.length, 0, b.length]];
    while (queue.length) {
      var q = queue.pop(), m = longest(q[0], q[1], q[2], q[3]), i = m[0], j = m[1], k = m[2];
      if (k) {
        total += k;
        if (q[0] < i && q[2] < j) queue.push([q[0], i, q[2], j]);
        if (i + k < q[1] && j + k < q[3]) queue.push([i + k, q[1], j + k, q[3]]);
      }
    }
    return total;
  }

  function ratioOf(x, total, la, lb) { return la + lb ? 2.0 * total / (la + lb) : 1.0; }

  function quickRatio(a, b) {
    var avail = new Map(), hits = 0;
    b.forEach(function (ch) { avail.set(ch, (avail.get(ch) || 0) + 1); });
    a.forEach(function (ch) { var n = avail.get(ch) || 0; if (n > 0) hits++; avail.set(ch, n - 1); });
    return ratioOf(null, hits, a.length, b.length);
  }

  function cmpCodePoints(x, y) {
    var a = chars(x), b = chars(y);
    for (var i = 0; i < Math.min(a.length, b.length); i++) {
      var d = a[i].codePointAt(0) - b[i].codePointAt(0);
      if (d) return d;
    }
    return a.length - b.length;
  }

  function closest(name, candidates) {
    var text = pyStr(name), word = chars(text), best = null;
    candidates.map(String).forEach(function (x) {
      var a = chars(x), la = a.length, lb = word.length;
      if (ratioOf(null, Math.min(la, lb), la, lb) < 0.6 || quickRatio(a, word) < 0.6) return;
      var score = ratioOf(null, matches(a, word), la, lb);
      if (score < 0.6) return;
      // heapq.nlargest on (score, candidate): the higher score, then the greater candidate
      if (!best || score > best[0] || (score === best[0] && cmpCodePoints(x, best[1]) > 0)) best = [score, x];
    });
    if (best) return best[1];
    var lowered = {};
    candidates.map(String).forEach(function (c) { lowered[c.toLowerCase()] = c; });
    return has(lowered, text.toLowerCase()) ? lowered[text.toLowerCase()] : null;
  }

  // ---- engine/names.py synonym -----------------------------------------------------------------------
  function keyOf(text) { return pyStrip(pyStr(text)).toLowerCase().replace(/ /g, "_").replace(/-/g, "_"); }

  function synonym(cfg, value, options, extra) {
    var wanted = keyOf(value), pool = options.map(String);
    if (!wanted || pool.indexOf(pyStr(value)) >= 0) return null;
    if (pool.indexOf(wanted) >= 0) return wanted;
    var tables = Object.keys(cfg.value_names).map(function (g) { return cfg.value_names[g]; });
    if (extra) tables.push(extra);
    for (var t = 0; t < tables.length; t++) {
      for (var o = 0; o < pool.length; o++) {
        var names = tables[t][pool[o]] || {};
        if (Object.keys(names).some(function (l) { return keyOf(names[l]) === wanted; })) return pool[o];
      }
    }
    var meant = has(cfg.synonyms, wanted) ? cfg.synonyms[wanted] : [];
    meant = (typeof meant === "string" ? [meant] : meant).filter(function (m) { return pool.indexOf(m) >= 0; });
    return meant.length ? meant[0] : null;
  }

  // ---- engine/names.py boolean_word ------------------------------------------------------------------
  function booleanWord(cfg, value) {
    if (typeof value !== "string") return null;
    var wanted = keyOf(value);
    return has(cfg.boolean_words, wanted) ? cfg.boolean_words[wanted] : null;
  }

  // ---- engine/text.py mask and engine/application.py without_numbers ------------------------------
  function mask(number) {
    var text = chars(pyStr(number)), shown = Math.floor(text.length / 6);
    if (!text.length) return "";
    if (!shown) return "*".repeat(text.length);
    return text.slice(0, shown).join("") + "*".repeat(text.length - 2 * shown) + text.slice(text.length - shown).join("");
  }

  function numbersGiven(data) {
    var out = [], stack = [data];
    while (stack.length) {
      var v = stack.pop();
      if (isObject(v)) {
        var cert = v.certificate;
        if (isObject(cert) && (typeof cert.number === "string" || typeof cert.number === "number" ||
                               typeof cert.number === "boolean")) out.push(cert.number);
        Object.keys(v).forEach(function (k) { stack.push(v[k]); });
      } else if (Array.isArray(v)) v.forEach(function (x) { stack.push(x); });
    }
    var set = {};
    out.forEach(function (n) { var s = pyStrip(pyStr(n)); if (s) set[s] = true; });
    return Object.keys(set).sort(function (x, y) { return chars(y).length - chars(x).length; });
  }

  function maskNumbers(text) { return text.replace(NUMBER_SHAPES, function (m) { return mask(m); }); }

  function cleaner(data) {
    var known = numbersGiven(data);
    function clean(text) {
      known.forEach(function (n) { if (chars(n).length >= 5 && text.indexOf(n) >= 0) text = text.split(n).join(mask(n)); });
      return maskNumbers(text);
    }
    function value(v) {
      if (Array.isArray(v)) return v.map(value);
      if (typeof v === "string" || (typeof v === "number" && Number.isInteger(v))) {
        var text = pyStr(v), cleaned = clean(text);
        return cleaned === text ? v : cleaned;
      }
      return v;
    }
    return { text: clean, value: value };
  }

  // ---- engine/messages.py text --------------------------------------------------------------------------
  function lengthNote(cat, length) { return cat.length_note.replace("{length}", String(length)); }

  function shortenValue(cat, v) {
    if (typeof v !== "string") return v;
    var c = chars(v);
    return c.length > MAX_SHOWN ? c.slice(0, MAX_SHOWN).join("") + "…" + lengthNote(cat, c.length) : v;
  }

  function shorten(cat, message) {
    return message.replace(LONG_QUOTED, function (m, inner) {
      var c = chars(inner);
      return "'" + c.slice(0, MAX_SHOWN).join("") + "…'" + lengthNote(cat, c.length);
    });
  }

  // engine/messages.py spaced: in Chinese (cat.spaced), one space where a Chinese character meets an
  // ASCII letter or digit at a seam of the catalogue's text and a value, and none of the catalogue's
  // spaces where two Chinese characters meet; a value itself is left as written.
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/, WORD = /[A-Za-z0-9]/;
  function spaced(cat, pieces) { // pieces: [text, written by the catalogue]
    if (!cat.spaced) return pieces.map(function (p) { return p[0]; }).join("");
    var out = "", owned = 0;
    pieces.forEach(function (p) {
      var piece = p[0], written = p[1];
      if (!piece) return;
      var left = owned ? out.slice(0, out.length - owned) + out.slice(out.length - owned).replace(/ +$/, "") : out;
      var right = written ? piece.replace(/^ +/, "") : piece;
      var a = left.slice(-1), b = right.slice(0, 1);
      if (a && b) {
        if ((HAN.test(a) && WORD.test(b)) || (WORD.test(a) && HAN.test(b))) {
          if (left === out && right === piece) piece = " " + piece;
        } else if (HAN.test(a) && HAN.test(b)) {
          out = left;
          piece = right;
        }
      }
      out += piece;
      owned = written ? piece.length : 0;
    });
    return out;
  }

  function joined(cat, separator, items) {
    var pieces = [];
    items.forEach(function (item, i) {
      if (i) pieces.push([separator, true]);
      pieces.push([item, false]);
    });
    return spaced(cat, pieces);
  }

  function field(cat, args, name, spec) {
    var v = args[name];
    var list = Array.isArray(v) ? v : [v];
    if (spec === "type") return has(cat.types, pyStr(v)) ? cat.types[pyStr(v)] : pyStr(v);
    if (spec === "types") return joined(cat, cat.or, list.map(function (t) { return has(cat.types, pyStr(t)) ? cat.types[pyStr(t)] : pyStr(t); }));
    if (spec === "list") return list.map(function (x) { return pyStr(x); }).join(cat.list_sep);
    return pyStr(v, true);
  }

  function format(cat, id, args) {
    var template = cat.messages[id], pattern = /\{\{|\}\}|\{(\w+)(?::(\w+))?\}/g, pieces = [], literal = "", at = 0, m;
    while ((m = pattern.exec(template)) !== null) {
      literal += template.slice(at, m.index);
      at = pattern.lastIndex;
      if (m[0] === "{{" || m[0] === "}}") {
        literal += m[0].charAt(0);
        continue;
      }
      pieces.push([literal, true], [field(cat, args, m[1], m[2]), false]);
      literal = "";
    }
    pieces.push([literal + template.slice(at), true]);
    return spaced(cat, pieces);
  }

  // What a person reads at the field: the message, and its "did you mean", as the CLI prints them.
  function shown(cat, message, suggestion) {
    var text = message;
    if (suggestion) text += format(cat, "did_you_mean", { suggestion: shorten(cat, suggestion) });
    return text.replace(UNSAFE, "");
  }

  // ---- the schema's keywords, as jsonschema applies them (Draft 2020-12) ---------------------------------
  function isType(v, t) {
    switch (t) {
      case "string": return typeof v === "string";
      case "integer": return typeof v === "number" && Number.isInteger(v);
      case "number": return typeof v === "number";
      case "boolean": return typeof v === "boolean";
      case "object": return isObject(v);
      case "array": return Array.isArray(v);
      case "null": return v === null;
    }
    return true;
  }

  function jsonType(v) {
    var order = ["boolean", "integer", "number", "string", "array", "object"];
    for (var i = 0; i < order.length; i++) if (isType(v, order[i])) return order[i];
    return "null";
  }

  function isDate(text) { // jsonschema's "date": YYYY-MM-DD in ASCII digits, and a real date
    var m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
    if (!m) return false;
    var y = +m[1], mo = +m[2], d = +m[3];
    if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
    var leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  }

  var patterns = {};
  function pattern(source) {
    // Python's re.search: a final $ also matches before a final line break
    if (!has(patterns, source)) patterns[source] = new RegExp(source.replace(/\$$/, "(?=\\n?$)"), "u");
    return patterns[source];
  }

  function deepEqual(x, y) { return JSON.stringify(x) === JSON.stringify(y) && typeof x === typeof y; }

  function make(cfg) {
    // cfg: the "check" part of /intake/config (catalogue, names, synonyms, category names) and the schema
    var schema = cfg.schema, cat = cfg.catalogue;
    var noExpiry = new Set(cfg.no_expiry_words);
    var categoryKeys = Object.keys(cfg.category_names);

    function resolve(s) { return s.$ref ? schema.$defs[s.$ref.split("/").pop()] : s; }

    function walk(s, v, path, out) {
      var add = function (p, id, args, suggestion) { out.push({ path: p, id: id, args: args, suggestion: suggestion || null }); };
      Object.keys(s).forEach(function (k) {
        var x = s[k];
        switch (k) {
          case "$ref": walk(resolve(s), v, path, out); break;
          case "type":
            var types = Array.isArray(x) ? x : [x];
            if (!types.some(function (t) { return isType(v, t); })) {
              if (v === null) add(path, s.format === "date" ? "fill_in_date" : "fill_in", { expected: types });
              else add(path, "wrong_type", { expected: types, found: jsonType(v) },
                       types.indexOf("boolean") >= 0 ? booleanWord(cfg, v) : null);
            }
            break;
          case "enum":
            if (!x.some(function (o) { return deepEqual(o, v); })) {
              var options = x.map(function (o) { return pyStr(o); });
              add(path, "not_one_of", { value: v, options: options }, synonym(cfg, v, options) || closest(v, options));
            }
            break;
          case "format":
            if (x === "date" && typeof v === "string" && !isDate(v))
              add(path, noExpiry.has(pyStrip(v)) ? "date_forever" : "not_a_date", { value: v });
            break;
          case "minimum":
            if (typeof v === "number" && v < x) add(path, "at_least", { minimum: x, value: v });
            break;
          case "maxLength":
            if (typeof v === "string" && chars(v).length > x) add(path, "too_long", { limit: x });
            break;
          case "minLength":
            if (typeof v === "string" && chars(v).length < x) add(path, "empty_value", {});
            break;
          case "maxItems":
            if (Array.isArray(v) && v.length > x) add(path, "too_long", { limit: x });
            break;
          case "minItems":
            if (Array.isArray(v) && v.length < x) add(path, "empty_value", {});
            break;
          case "pattern":
            if (typeof v === "string" && !pattern(x).test(v)) {
              if (/\.signature_md5$/.test(path)) add(path, "signature_md5_invalid", { value: v });
              else add(path, "not_snake_case", { value: v }, synonym(cfg, v, categoryKeys, cfg.category_names));
            }
            break;
          case "properties":
            if (isObject(v)) Object.keys(x).forEach(function (p) { if (has(v, p)) walk(x[p], v[p], path + "." + p, out); });
            break;
          case "additionalProperties":
            if (isObject(v) && x === false) {
              var allowed = Object.keys(s.properties || {});
              var extra = Object.keys(v).filter(function (p) { return allowed.indexOf(p) < 0; });
              extra.forEach(function (name) { add(path + "." + name, "unknown_field", { name: name }, closest(name, allowed)); });
            }
            break;
          case "required":
            if (isObject(v)) {
              // a required field that is only misspelt is reported once, as the unknown field
              var known = Object.keys(s.properties || {});
              var meant = Object.keys(v).filter(function (p) { return known.indexOf(p) < 0; })
                .map(function (p) { return closest(p, known); });
              x.forEach(function (name) {
                if (!has(v, name) && meant.indexOf(name) < 0) add(path, "missing_field", { name: name });
              });
            }
            break;
          case "items":
            if (Array.isArray(v)) v.forEach(function (item, i) { walk(x, item, path + "[" + i + "]", out); });
            break;
        }
      });
    }

    // Every problem the schema finds in ``data``, as the intake service reports them: path, the
    // field it is shown at, message id, message and suggestion (certificate numbers masked).
    function validate(data) {
      var found = [];
      if (!isObject(data)) return found;
      walk(schema, data, "$", found);
      var c = cleaner(data);
      return found.map(function (p) {
        var args = {};
        Object.keys(p.args).forEach(function (k) { args[k] = shortenValue(cat, c.value(p.args[k])); });
        var suggestion = p.suggestion === null ? null : c.text(p.suggestion);
        return { path: p.path, field: p.id === "missing_field" ? p.path + "." + p.args.name : p.path,
                 code: p.id, message: format(cat, p.id, args), suggestion: suggestion, severity: "error", local: true };
      });
    }

    // masked: engine/text.py mask_numbers, for what the page shows that no check has worded (a file's name)
    return { validate: validate, shown: function (row) { return shown(cat, row.message, row.suggestion); },
             masked: maskNumbers,
             codes: Object.keys(cat.messages).filter(function (id) { return id !== "did_you_mean"; }) };
  }

  global.IcpCheck = { make: make, closest: closest };
})(window);
