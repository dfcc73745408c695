// The intake form (engine/intake.py serves it): built from the application schema that
// /intake/config sends, checked as it is filled in the browser (check.js: what the schema alone
// decides) and by the server (everything, the authority), both in the CLI's own messages in the
// page's language, and turned into the checklist on submit. Loads nothing from other hosts.
(function () {
  "use strict";

  var lang = document.body.getAttribute("data-lang") || "zh";
  var CFG = null, W = null, SCHEMA = null, root = null, checker = null;
  var touched = new Set();
  var submitted = false, seq = 0, timer = null, lastCheck = null, lastSent = null;
  var KEEP = "icp-intake-application"; // the form's values across a language switch

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function resolve(schema) {
    if (schema && schema.$ref) return SCHEMA.$defs[schema.$ref.split("/").pop()];
    return schema || {};
  }

  function title(schema, key) {
    return (lang === "zh" ? schema["x-title-zh"] : schema.title) || schema.title || key;
  }

  function help(schema) {
    return (lang === "zh" ? schema["x-description-zh"] : schema.description) || "";
  }

  function idFor(path) {
    return "f" + path.slice(1).replace(/[\[\].]+/g, "-").replace(/-$/, "");
  }

  function isEmpty(v) {
    return v === undefined || v === null || v === "" ||
      (Array.isArray(v) && v.length === 0) ||
      (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);
  }

  function options(schema) {
    if (schema["x-choices"]) return CFG.choices[schema["x-choices"]];
    var names = schema["x-value-names"] || {}; // engine/names.py, beside each enum (intake.config)
    return (schema.enum || []).map(function (v) {
      return { value: v, label: names[v] ? (lang === "zh" ? names[v] + "（" + v + "）" : names[v] + " (" + v + ")") : v };
    });
  }

  function itemSchema(schema) { return resolve(schema.items || {}); }

  // ---- one field: a wrapper with its label, control, help and error ---------------------------
  function fieldShell(path, key, schema, required, control, labelFor) {
    var id = idFor(path);
    var wrap = el("div", { "class": "field", "data-path": path, "data-key": key });
    var label = el(labelFor ? "label" : "span", { "for": labelFor ? id : null, id: id + "-label", "class": "label" });
    label.textContent = title(schema, key);
    if (required) label.appendChild(el("abbr", { "class": "req", title: W.required, text: " *" }));
    wrap.appendChild(label);
    wrap.appendChild(control);
    var described = [];
    var text = help(schema);
    if (text) {
      wrap.appendChild(el("p", { "class": "help", id: id + "-help", text: text }));
      described.push(id + "-help");
    }
    wrap.appendChild(el("p", { "class": "error", id: id + "-error", hidden: true }));
    described.push(id + "-error");
    var target = control.matches("input,select,textarea") ? control : control.querySelector("input,select,textarea");
    if (target) target.setAttribute("aria-describedby", described.join(" "));
    return wrap;
  }

  function scalar(schema, path, key, required) {
    var id = idFor(path), control, get, set;
    var kind = schema.type;
    if (schema.enum || schema["x-choices"]) {
      control = el("select", { id: id, name: path });
      var fill = function (extra) {
        control.textContent = "";
        control.appendChild(el("option", { value: "", text: "— " + W.choose + " —" }));
        options(schema).forEach(function (o) { control.appendChild(el("option", { value: o.value, text: o.label })); });
        if (extra !== undefined) {
          // a loaded value spelt another way (51 or 四川 for sichuan) keeps its spelling, shown by its name
          var text = String(extra).trim();
          var meant = options(schema).filter(function (o) {
            return (o.spellings || []).some(function (s) { return s === text || s === text.toLowerCase(); });
          })[0];
          control.appendChild(el("option", { value: String(extra), text: meant ? meant.label : String(extra) }));
        }
      };
      fill();
      get = function () { return control.value === "" ? undefined : control.value; };
      set = function (v) {
        if (v === undefined || v === null) { control.value = ""; return; }
        var known = options(schema).some(function (o) { return String(o.value) === String(v); });
        fill(known ? undefined : v); // a loaded value the list lacks stays, so the check can name it
        control.value = String(v);
      };
    } else if (kind === "boolean") {
      control = el("select", { id: id, name: path }, [
        el("option", { value: "", text: "—" }), el("option", { value: "true", text: W.yes }),
        el("option", { value: "false", text: W.no })]);
      get = function () { return control.value === "" ? undefined : control.value === "true"; };
      set = function (v) { control.value = v === true ? "true" : v === false ? "false" : ""; };
    } else {
      var long = schema.maxLength === undefined || schema.maxLength > 200;
      control = long && kind === "string" && !schema.format
        ? el("textarea", { id: id, name: path, rows: 2 })
        : el("input", { id: id, name: path, type: "text", autocomplete: "off",
                        inputmode: kind === "integer" ? "numeric" : null,
                        placeholder: schema.format === "date" ? "YYYY-MM-DD" : null });
      get = function () {
        var t = control.value.trim();
        if (t === "") return undefined;
        if (kind === "integer" && /^-?\d+$/.test(t)) return parseInt(t, 10);
        return t;
      };
      set = function (v) { control.value = v === undefined || v === null ? "" : String(v); };
    }
    if (required) control.setAttribute("aria-required", "true");
    return { el: fieldShell(path, key, schema, required, control, true), get: get, set: set };
  }

  function stringList(schema, path, key, required) {
    var item = itemSchema(schema);
    if (item.enum || schema["x-choices"] || item["x-choices"]) {
      var choices = schema["x-choices"] ? CFG.choices[schema["x-choices"]] : options(item);
      var box = el("div", { "class": "choices", role: "group" });
      var extra = [];
      choices.forEach(function (o, i) {
        var cid = idFor(path) + "-" + i;
        box.appendChild(el("span", { "class": "choice" }, [
          el("input", { type: "checkbox", id: cid, value: o.value, name: path }),
          el("label", { "for": cid, text: o.label })]));
      });
      var wrap = fieldShell(path, key, schema, required, box, false);
      box.setAttribute("aria-labelledby", idFor(path) + "-label");
      return {
        el: wrap,
        get: function () {
          var out = Array.prototype.filter.call(box.querySelectorAll("input"), function (c) { return c.checked; })
            .map(function (c) { return c.value; }).concat(extra);
          return out.length ? out : undefined;
        },
        set: function (v) {
          var values = (v || []).map(String);
          box.querySelectorAll("input").forEach(function (c) { c.checked = values.indexOf(c.value) >= 0; });
          var known = choices.map(function (o) { return String(o.value); });
          extra = values.filter(function (x) { return known.indexOf(x) < 0; }); // kept for the check to name
        }
      };
    }
    var area = el("textarea", { id: idFor(path), name: path, rows: 3, placeholder: W.one_per_line, autocomplete: "off" });
    return {
      el: fieldShell(path, key, schema, required, area, true),
      get: function () {
        var lines = area.value.split(/\n/).map(function (l) { return l.trim(); }).filter(Boolean);
        return lines.length ? lines : undefined;
      },
      set: function (v) { area.value = (v || []).join("\n"); }
    };
  }

  function objectList(schema, path, key, required) {
    var item = itemSchema(schema);
    var set = el("fieldset", { "class": "list", "data-path": path, "data-key": key });
    set.appendChild(el("legend", { text: title(schema, key) }));
    var text = help(schema);
    if (text) set.appendChild(el("p", { "class": "help", text: text }));
    set.appendChild(el("p", { "class": "error", id: idFor(path) + "-error", hidden: true }));
    var holder = el("div", { "class": "items" });
    set.appendChild(holder);
    var add = el("button", { type: "button", "class": "add", "data-add": path,
                             text: W.add + " " + title(item, key) });
    set.appendChild(add);
    var items = [];
    function render(values) {
      holder.textContent = "";
      items = values.map(function (v, i) {
        var p = path + "[" + i + "]";
        var part = objectNode(item, p, key, true, 2, W.item.replace("{n}", i + 1) + " · " + title(item, key));
        var remove = el("button", { type: "button", "class": "remove", "data-remove": p,
                                    text: W.remove + " " + W.item.replace("{n}", i + 1) });
        remove.addEventListener("click", function () {
          var now = items.map(function (c) { return c.get() || {}; });
          now.splice(i, 1);
          render(now);
          add.focus();
          changed();
        });
        part.el.appendChild(remove);
        holder.appendChild(part.el);
        part.set(v);
        return part;
      });
    }
    add.addEventListener("click", function () {
      var now = items.map(function (c) { return c.get() || {}; });
      now.push({});
      render(now);
      var first = holder.lastChild && holder.lastChild.querySelector("input,select,textarea");
      if (first) first.focus();
    });
    return {
      el: set,
      get: function () {
        var out = items.map(function (c) { return c.get() || {}; });
        return out.length ? out : undefined;
      },
      set: function (v) { render(Array.isArray(v) ? v : []); }
    };
  }

  function objectNode(schema, path, key, required, depth, legend) {
    schema = resolve(schema);
    var props = schema.properties || {};
    var need = schema.required || [];
    var box = depth === 0 ? el("div", { "class": "root" }) :
      el("fieldset", { "class": "group", "data-path": path, "data-key": key });
    if (depth > 0) {
      box.appendChild(el("legend", { text: legend || title(schema, key) }));
      var text = help(schema);
      if (text && !legend) box.appendChild(el("p", { "class": "help", text: text }));
      box.appendChild(el("p", { "class": "error", id: idFor(path) + "-error", hidden: true }));
    }
    var children = {};
    Object.keys(props).forEach(function (k) {
      var child = node(props[k], path === "$" ? "$." + k : path + "." + k, k, need.indexOf(k) >= 0, depth + 1);
      children[k] = child;
      box.appendChild(child.el);
    });
    var outer = box, details = null;
    if (depth > 0 && !required) { // an optional group stays folded until wanted
      details = el("details", { "class": "optional", "data-path": path });
      details.appendChild(el("summary", { text: title(schema, key) }));
      details.appendChild(box);
      outer = details;
    }
    var extra = {};
    return {
      el: outer,
      get: function () {
        var out = {};
        Object.keys(children).forEach(function (k) {
          var v = children[k].get();
          if (!isEmpty(v)) out[k] = v;
        });
        Object.keys(extra).forEach(function (k) { out[k] = extra[k]; }); // unknown keys go to the check
        return isEmpty(out) ? undefined : out;
      },
      set: function (v) {
        v = v && typeof v === "object" && !Array.isArray(v) ? v : {};
        extra = {};
        Object.keys(v).forEach(function (k) { if (!(k in children)) extra[k] = v[k]; });
        Object.keys(children).forEach(function (k) { children[k].set(v[k]); });
        if (details && !isEmpty(v)) details.open = true;
      }
    };
  }

  function node(schema, path, key, required, depth) {
    schema = Object.assign({}, resolve(schema), schema.$ref ? { title: schema.title || resolve(schema).title,
      "x-title-zh": schema["x-title-zh"] || resolve(schema)["x-title-zh"],
      description: schema.description || resolve(schema).description,
      "x-description-zh": schema["x-description-zh"] || resolve(schema)["x-description-zh"] } : {});
    if (schema.type === "object" || schema.properties) return objectNode(schema, path, key, required, depth);
    if (schema.type === "array") {
      var item = itemSchema(schema);
      if (item.type === "object" || item.properties) return objectList(schema, path, key, required);
      return stringList(schema, path, key, required);
    }
    return scalar(schema, path, key, required);
  }

  // ---- checking ----------------------------------------------------------------------------------
  // body[data-checking] while an edit waits for its check or a request is unanswered: tests (and
  // anything else) can wait for the page to settle instead of guessing how long a check takes.
  var inflight = 0;
  function busy() {
    if (timer !== null || inflight > 0) document.body.setAttribute("data-checking", "true");
    else document.body.removeAttribute("data-checking");
  }

  function post(url, body) {
    inflight++;
    busy();
    // the caller's handlers run in the same microtask checkpoint: the page never looks settled between
    var settle = function () { inflight--; busy(); };
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(function (v) { settle(); return v; }, function (e) { settle(); throw e; });
  }

  function current() { return root.get() || {}; }

  function changed() {
    checkHere();
    clearTimeout(timer);
    timer = setTimeout(function () { timer = null; check(); }, 350);
    busy();
  }

  function valueAt(data, path) {
    var parts = path.slice(1).match(/\.[^.[]+|\[\d+\]/g) || [];
    return parts.reduce(function (v, part) {
      if (v === undefined || v === null || typeof v !== "object") return undefined;
      return part[0] === "." ? v[part.slice(1)] : v[parseInt(part.slice(1), 10)];
    }, data);
  }

  // What the browser knows now: its own check of the schema, and the server's other findings
  // (checksums, domains, provinces) at the answers not changed since the server saw them.
  function checkHere() {
    if (!checker) return;
    var data = current();
    var rows = checker.validate(data);
    if (lastCheck && lastSent) {
      var before = JSON.parse(lastSent);
      (lastCheck.problems || []).forEach(function (pr) {
        if (checker.codes.indexOf(pr.code) >= 0) return; // the browser's own check says these now
        if (JSON.stringify(valueAt(data, pr.path)) === JSON.stringify(valueAt(before, pr.path))) rows.push(pr);
      });
    }
    showProblems(rows);
    // the panel's list of required answers follows at once; what is missing waits for the server
    if (rows.some(function (r) { return r.severity !== "warning"; })) showMissing({ valid: false, problems: rows });
  }

  function check() {
    var mine = ++seq;
    var sent = JSON.stringify(current());
    return post("/intake/check?lang=" + lang, JSON.parse(sent)).then(function (answer) {
      if (mine !== seq) return answer; // a later edit is being checked
      lastCheck = answer;
      lastSent = sent;
      if (JSON.stringify(current()) === sent) {
        showProblems(answer.problems || []);
        showMissing(answer);
      } else checkHere(); // edited while the server was checking: its answer counts where nothing changed
      return answer;
    }, function () {
      checkHere(); // the server did not answer: the browser's own check stands
    });
  }

  function placeOf(path) {
    // The field for a problem's path, else its nearest enclosing block (the form for $).
    var p = path;
    while (p) {
      var found = document.querySelector('[data-path="' + p.replace(/"/g, '\\"') + '"]');
      if (found) return found;
      var cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
      if (cut <= 0) break;
      p = p.slice(0, cut);
    }
    return null;
  }

  function errorBox(place) {
    if (place.tagName === "DETAILS") place = place.querySelector("fieldset");
    var id = (place.getAttribute("data-path") ? idFor(place.getAttribute("data-path")) : "f") + "-error";
    return document.getElementById(id);
  }

  function visible(place) {
    if (submitted) return true;
    var path = place.getAttribute("data-path");
    var shown = false;
    touched.forEach(function (t) { if (t === path || t.indexOf(path + ".") === 0 || t.indexOf(path + "[") === 0) shown = true; });
    return shown;
  }

  function showProblems(problems) {
    document.querySelectorAll(".error").forEach(function (e) { e.hidden = true; e.textContent = ""; });
    document.querySelectorAll("[aria-invalid]").forEach(function (e) { e.removeAttribute("aria-invalid"); });
    document.querySelectorAll(".field.invalid,fieldset.invalid").forEach(function (e) { e.classList.remove("invalid"); });
    var list = document.getElementById("form-problems");
    list.textContent = "";
    var unplaced = [];
    problems.forEach(function (pr) {
      var place = placeOf(pr.field);
      var text = checker.shown(pr);
      if (!place || place.id === "fields") { unplaced.push(pr); return; }
      if (!visible(place)) return;
      var box = errorBox(place);
      if (!box) { unplaced.push(pr); return; }
      box.hidden = false;
      box.appendChild(el("span", { "class": "message", "data-code": pr.code || "", text: text }));
      var wrap = place.tagName === "DETAILS" ? place.querySelector("fieldset") : place;
      wrap.classList.add("invalid");
      var control = wrap.querySelector(":scope > input, :scope > select, :scope > textarea");
      if (control) control.setAttribute("aria-invalid", "true");
      if (place.tagName === "DETAILS") place.open = true;
    });
    if (submitted && (unplaced.length || problems.length)) {
      list.hidden = false;
      list.appendChild(el("h2", { text: W.problems_title }));
      var ul = el("ul");
      problems.forEach(function (pr) {
        var li = el("li");
        var place = placeOf(pr.field);
        var text = pr.path + "  " + checker.shown(pr);
        var control = place && place.querySelector("input,select,textarea");
        if (control) {
          var a = el("a", { href: "#" + control.id, text: text });
          a.addEventListener("click", function (ev) { ev.preventDefault(); control.focus(); });
          li.appendChild(a);
        } else li.textContent = text;
        ul.appendChild(li);
      });
      list.appendChild(ul);
    } else list.hidden = true;
  }

  function showMissing(answer) {
    var body = document.getElementById("missing-body");
    body.textContent = "";
    document.querySelectorAll(".field.missing").forEach(function (f) { f.classList.remove("missing"); });
    var required = (answer.problems || []).filter(function (p) { return p.code === "missing_field" || p.code === "fill_in"; });
    if (!answer.valid) {
      if (required.length) {
        var ul = el("ul", { "class": "required" });
        required.forEach(function (p) {
          var place = placeOf(p.field);
          var name = place ? (place.querySelector(".label,legend") || {}).textContent || p.field : p.field;
          ul.appendChild(item(name.replace(/\s*\*$/, ""), p.field, place));
        });
        body.appendChild(ul);
      }
      body.appendChild(el("p", { "class": "note", text: W.missing_invalid }));
      return;
    }
    var missing = answer.missing || [];
    if (!missing.length) { body.appendChild(el("p", { text: W.missing_none })); return; }
    body.appendChild(el("p", { text: W.missing_intro }));
    var list = el("ul", { "class": "facts" });
    missing.forEach(function (m) {
      var fields = fieldsFor(m);
      fields.empty.forEach(function (f) { f.classList.add("missing"); });
      var label = m.label + (m.refs.length ? " — " + m.refs.join(lang === "zh" ? "、" : ", ") : "");
      var li = item(label, m.fact, fields.empty[0] || fields.all[0]);
      li.setAttribute("data-fact", m.fact);
      li.setAttribute("data-key", m.key);
      li.appendChild(el("span", { "class": "affects", text: " " + W.affects + ": " + m.rules.join(lang === "zh" ? "；" : "; ") }));
      list.appendChild(li);
    });
    body.appendChild(list);
  }

  function item(text, key, place) {
    var li = el("li");
    var control = place && (place.matches("input,select,textarea") ? place : place.querySelector("input,select,textarea"));
    if (control) {
      var a = el("a", { href: "#" + control.id, text: text });
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        var d = control.closest("details");
        if (d) d.open = true;
        control.focus();
      });
      li.appendChild(a);
    } else li.appendChild(el("span", { text: text }));
    return li;
  }

  // The fields a missing fact is answered in (engine/facts.py ANSWERS, [*] for any item), and those
  // of them still empty: the ones to mark.
  function fieldsFor(m) {
    var wanted = m.fields || [];
    var all = Array.prototype.filter.call(document.querySelectorAll(".field[data-path]"), function (f) {
      return wanted.indexOf(f.getAttribute("data-path").replace(/\[\d+\]/g, "[*]")) >= 0;
    });
    var empty = all.filter(function (f) {
      var controls = f.querySelectorAll("input,select,textarea");
      return Array.prototype.every.call(controls, function (c) { return c.type === "checkbox" ? !c.checked : c.value === ""; });
    });
    return { all: all, empty: empty };
  }

  // ---- submitting, loading, the result ---------------------------------------------------------------
  function download(id, text, type) {
    var a = document.getElementById(id);
    if (a.getAttribute("href") && a.getAttribute("href").indexOf("blob:") === 0) URL.revokeObjectURL(a.href);
    a.href = URL.createObjectURL(new Blob([text], { type: type }));
  }

  // What the browser's own Print (Ctrl+P) prints once the checklist is shown: the checklist whole,
  // with its page size, margins and page numbers. A frame prints as one clipped box, so a copy of
  // the checklist lives in the page, in a shadow root that keeps its styles from the page's.
  function printCopy(html) {
    var doc = new DOMParser().parseFromString(html, "text/html"); // parsing runs no script
    var host = document.getElementById("print-copy");
    var shadow = host.shadowRoot || host.attachShadow({ mode: "open" });
    var own = new CSSStyleSheet(), page = new CSSStyleSheet();
    own.replaceSync(Array.prototype.map.call(doc.querySelectorAll("style"), function (s) { return s.textContent; }).join("\n"));
    var pageRules = [];
    Array.prototype.forEach.call(own.cssRules, function (rule) {
      if (rule.type === CSSRule.PAGE_RULE) pageRules.push(rule.cssText);
    });
    // the checklist's body is the shadow root's host here
    Array.prototype.forEach.call(own.cssRules, function (rule) {
      if (rule.selectorText === "body") rule.selectorText = ":host";
      if (rule.cssRules) Array.prototype.forEach.call(rule.cssRules, function (inner) {
        if (inner.selectorText === "body") inner.selectorText = ":host";
      });
    });
    page.replaceSync(pageRules.join("\n"));
    shadow.adoptedStyleSheets = [own];
    document.adoptedStyleSheets = [page];
    shadow.replaceChildren.apply(shadow, Array.prototype.map.call(doc.body.childNodes, function (n) {
      return document.importNode(n, true);
    }));
    host.hidden = false;
  }

  function submit(ev) {
    ev.preventDefault();
    submitted = true;
    var status = document.getElementById("form-status");
    status.textContent = W.checking;
    ++seq;
    var sent = JSON.stringify(current());
    checkHere();
    post("/intake/check?render=1&lang=" + lang, JSON.parse(sent)).then(function (answer) {
      lastCheck = answer;
      lastSent = sent;
      showProblems(answer.problems || []);
      showMissing(answer);
      if (!answer.valid) {
        status.textContent = W.fix_first;
        var bad = document.querySelector("[aria-invalid=true]") || document.querySelector("#form-problems a");
        if (bad) bad.focus();
        return;
      }
      status.textContent = "";
      var result = document.getElementById("result");
      result.hidden = false;
      document.getElementById("checklist").setAttribute("srcdoc", answer.checklist.html);
      printCopy(answer.checklist.html);
      download("dl-md", answer.checklist.md, "text/markdown;charset=utf-8");
      download("dl-json", answer.checklist.json, "application/json");
      download("dl-yaml", answer.application.yaml, "application/yaml;charset=utf-8");
      download("dl-app-json", answer.application.json, "application/json");
      document.getElementById("result-title").focus();
    }, function () {
      status.textContent = ""; // no answer from the server: the browser's own check is shown
      checkHere();
    });
  }

  function loadFile() {
    var input = document.getElementById("load");
    var status = document.getElementById("load-status");
    var file = input.files && input.files[0];
    if (!file) return;
    var name = checker.masked(file.name); // a file may be named after its applicant's ID number, as the CLI shows it
    file.text().then(function (text) {
      return post("/intake/load?lang=" + lang, { name: file.name, text: text });
    }).then(function (answer) {
      if (answer.problems && answer.problems.length) {
        status.textContent = answer.problems.map(function (p) {
          // the line `icp-rules check FILE` prints for it: file:line:column  path  message
          return name + (p.line ? ":" + p.line + (p.column ? ":" + p.column : "") : "") + "  " + p.path + "  " +
            checker.shown(p);
        }).join("\n");
        status.className = "error";
        return;
      }
      status.className = "";
      status.textContent = W.loaded + ": " + name;
      root.set(answer.application);
      submitted = true; // a loaded application shows every problem it has
      check();
    });
  }

  function start() {
    fetch("/intake/config?lang=" + lang).then(function (r) { return r.json(); }).then(function (cfg) {
      CFG = cfg; W = cfg.ui; SCHEMA = cfg.schema;
      checker = IcpCheck.make(Object.assign({ schema: SCHEMA }, cfg.check));
      var holder = document.getElementById("fields");
      root = objectNode(SCHEMA, "$", "", true, 0);
      holder.appendChild(root.el);
      holder.setAttribute("data-path", "$");
      var kept = sessionStorage.getItem(KEEP);
      if (kept) {
        sessionStorage.removeItem(KEEP);
        try { root.set(JSON.parse(kept)); } catch (e) { /* a value from an older page: start empty */ }
      }
      var form = document.getElementById("form");
      form.addEventListener("input", function (ev) {
        var f = ev.target.closest("[data-path]");
        if (f && ev.target.type === "checkbox") touched.add(f.getAttribute("data-path"));
        changed();
      });
      form.addEventListener("change", function (ev) {
        var f = ev.target.closest("[data-path]");
        if (f) touched.add(f.getAttribute("data-path"));
        changed();
      });
      form.addEventListener("focusout", function (ev) {
        var f = ev.target.closest && ev.target.closest(".field");
        if (f && ev.target.value !== undefined && ev.target.value !== "") { touched.add(f.getAttribute("data-path")); changed(); }
      });
      form.addEventListener("click", function (ev) {
        if (ev.target.matches("button.add,button.remove")) changed();
      });
      form.addEventListener("submit", submit);
      document.getElementById("load").addEventListener("change", loadFile);
      document.getElementById("print").addEventListener("click", function () {
        document.getElementById("checklist").contentWindow.print();
      });
      document.getElementById("switch").addEventListener("click", function () {
        sessionStorage.setItem(KEEP, JSON.stringify(current()));
      });
      document.body.setAttribute("data-ready", "true");
      check();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
