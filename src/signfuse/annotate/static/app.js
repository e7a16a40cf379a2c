/* signfuse annotate: the single page. Plain JavaScript, no build step.
 *
 * Views: "#/" lists the videos under ROOT; "#/video/<path>" opens the editor (video + overlay,
 * inspector, canvas timeline with tiers and suggestion lanes). The document follows the signfuse
 * annotation JSON schema v1 (see signfuse/annotate/schema.py); fields starting with "_" are derived
 * display values and are never saved. Saves are debounced (autosave) and carry the revision they are
 * based on; a 409 shows the merge banner, a failed write (read-only folder, full disk) the error banner.
 *
 * Sound: the video plays with its soundtrack (m or the button mutes it); a waveform lane (from
 * /api/waveform) and F0 / energy lanes (from clip.audio.parquet) share the timeline's clock.
 * Tiers follow ELAN's model: a tier may have a parent and a type (its linguistic type's constraint:
 * Included_In, Time_Subdivision, Symbolic_Subdivision, Symbolic_Association), kept in
 * doc.elan.linguistic_types so that .eaf export writes them; symbolic tiers hold reference
 * annotations (ref / previous) that take their parent annotation's time span.
 * Lanes and tiers never draw labels over each other: overlapping boxes are stacked (up to 3 rows) and
 * a label that would collide with the previous one is left out; a box that starts before the view
 * keeps its label at the left edge.
 */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const HDR = { "Content-Type": "application/json", "X-Signfuse": "1" };
  const LABEL_W = 150, RULER_H = 24, ROW_H = 28, LANE_H = 34;
  const TIER_COLORS = {
    gloss_dominant: "#3b7dd8", gloss_nondominant: "#6a5acd", nonmanual: "#d2691e", au: "#c0392b",
    translation: "#2e8b57", notes: "#7f8c8d", other: "#5d6d7e",
  };
  const AU_RE = /^[LR]?AU(\d{1,2})([A-E])?$/;
  const CHUNK = 150;
  const MAX_STACK = 3;
  const SYMBOLIC = new Set(["Symbolic_Subdivision", "Symbolic_Association"]);
  const TIER_KINDS = ["gloss_dominant", "gloss_nondominant", "nonmanual", "au", "translation", "notes", "other"];

  const S = {
    path: null, info: null, doc: null, fps: 25, durationMs: 0,
    sel: null, activeTier: 0, inMs: null, outMs: null,
    undo: [], redo: [], lastSaved: null, saving: false, savePending: false, saveTimer: null, conflict: null,
    viewStart: 0, msPerPx: 100, lanes: [], selSugg: null, curve: "", curveFor: {}, labelRects: [],
    drag: null, landmarks: new Map(), lmMeta: null, lmMissing: false, annById: new Map(),
    renderMs: [],
  };

  // ------------------------------------------------------------------ helpers
  async function api(method, url, body) {
    const opt = { method, headers: HDR };
    if (body !== undefined) opt.body = typeof body === "string" ? body : JSON.stringify(body);
    const r = await fetch(url, opt);
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    return { status: r.status, ok: r.ok, data };
  }
  const q = (p) => "path=" + encodeURIComponent(p);
  function fmtTime(ms) {
    if (ms == null || !isFinite(ms)) return "–";
    const neg = ms < 0; ms = Math.abs(ms);
    const m = Math.floor(ms / 60000), s = (ms % 60000) / 1000;
    return (neg ? "-" : "") + m + ":" + s.toFixed(3).padStart(6, "0");
  }
  function setStatus(text, cls) { const el = $("save-status"); el.textContent = text; el.className = cls || ""; }
  const frameToMs = (f) => Math.round(f * 1000 / S.fps);
  const msToFrame = (ms) => Math.round(ms * S.fps / 1000);
  const snap = (ms) => frameToMs(msToFrame(ms));
  let idCounter = 0;
  function newId() {
    idCounter += 1;
    return "s" + Date.now().toString(36) + Math.floor(Math.random() * 1296).toString(36) + idCounter.toString(36);
  }
  function docForSave() {
    return JSON.parse(JSON.stringify(S.doc, (k, v) => (k && k[0] === "_" ? undefined : v)));
  }
  function tiersSnapshot() {
    return JSON.stringify(S.doc.tiers, (k, v) => (k && k[0] === "_" ? undefined : v));
  }

  // ------------------------------------------------------------------ routing
  window.addEventListener("hashchange", route);
  function route() {
    const h = location.hash || "#/";
    if (h.startsWith("#/video/")) openVideo(decodeURIComponent(h.slice(8)));
    else showList();
  }

  async function showList() {
    $("editor-view").hidden = true; $("list-view").hidden = false; $("crumb").textContent = "";
    S.path = null;
    const r = await api("GET", "/api/videos");
    if (!r.ok) { setStatus("could not list videos", "error"); return; }
    $("root-name").textContent = "in " + r.data.root;
    const tb = $("video-table").querySelector("tbody");
    tb.textContent = "";
    for (const v of r.data.videos) {
      const tr = document.createElement("tr");
      const a = document.createElement("a");
      a.href = "#/video/" + encodeURIComponent(v.path); a.textContent = v.path; a.className = "video-link";
      const td0 = document.createElement("td"); td0.appendChild(a); tr.appendChild(td0);
      const st = v.status === "done" ? "done" : v.annotations > 0 ? "in progress" : v.status === "in_progress" ? "in progress" : "not started";
      const cls = v.status === "done" ? "done" : v.annotations > 0 || v.status === "in_progress" ? "in_progress" : "todo";
      for (const [text, c] of [[st, "status-" + cls], [String(v.annotations), ""], [String(v.revision), ""],
        [v.landmarks ? "yes" : "–", ""], [v.suggestions ? "yes" : "–", ""]]) {
        const td = document.createElement("td"); td.textContent = text; if (c) td.className = c; tr.appendChild(td);
      }
      if (v.error) {
        tr.title = v.error;
        const warn = document.createElement("span"); warn.className = "row-warning"; warn.textContent = " ⚠ " + v.error;
        td0.appendChild(warn);
      }
      tb.appendChild(tr);
    }
    $("list-empty").hidden = r.data.videos.length > 0;
  }

  // ------------------------------------------------------------------ opening a video
  async function openVideo(path) {
    $("list-view").hidden = true; $("editor-view").hidden = false;
    $("crumb").textContent = path;
    S.path = path; S.sel = null; S.selSugg = null; S.undo = []; S.redo = []; S.inMs = S.outMs = null;
    S.landmarks = new Map(); S.lmMeta = null; S.lmMissing = false; S.conflict = null; S.lanes = [];
    $("conflict-banner").hidden = true; $("error-banner").hidden = true; $("damage-banner").hidden = true;
    S.wave = null; S.curveFor = {}; $("lane-errors").textContent = "";
    const [info, doc] = await Promise.all([api("GET", "/api/info?" + q(path)), api("GET", "/api/annotations?" + q(path))]);
    if (!info.ok || !doc.ok) { setStatus("could not open " + path + ": " + ((info.data || doc.data || {}).detail || ""), "error"); return; }
    S.info = info.data; S.doc = doc.data;
    if ((S.info.sidecar_errors || []).length) $("lane-errors").textContent = "⚠ " + S.info.sidecar_errors.join(" · ");
    if (S.info.damaged) {
      $("damage-text").textContent = "The annotation file is damaged (" + S.info.damaged + "). " +
        (S.info.recovered_revision != null ? "Showing revision " + S.info.recovered_revision + ", the newest valid one kept. "
          : "No valid earlier revision is kept; starting from an empty document. ") +
        "Your next save replaces the damaged file, which is kept in .signfuse-revisions.";
      $("damage-banner").hidden = false;
    }
    S.fps = S.info.fps || (S.doc.media && S.doc.media.fps) || 25;
    S.lastSaved = JSON.stringify(docForSave());
    const v = $("video");
    v.src = "/api/video?" + q(path);
    $("fps").textContent = (+S.fps).toFixed(3).replace(/\.?0+$/, "");
    $("frame-count").textContent = S.info.frames != null ? S.info.frames : "?";
    $("export-eaf").href = "/api/export.eaf?" + q(path);
    $("export-json").href = "/api/export.json?" + q(path);
    $("doc-status").value = S.doc.status || "todo";
    S.activeTier = 0;
    rebuild();
    updateDuration();
    zoomFit();
    setStatus("revision " + S.doc.revision);
    updateInspector();
    if (S.info.landmarks) fetchLandmarks(0); else $("overlay-status").textContent = "(no landmark file)";
    loadSuggestions();
    updateTierPanel();
  }

  function updateDuration() {
    const v = $("video");
    let d = 0;
    if (v.duration && isFinite(v.duration)) d = v.duration * 1000;
    d = Math.max(d, S.info && S.info.duration_ms || 0, S.doc.media && S.doc.media.duration_ms || 0);
    for (const t of S.doc.tiers) for (const a of t.annotations) if (a._t1 != null && a._t1 > d) d = a._t1;
    S.durationMs = Math.max(d, 1000);
  }

  async function loadSuggestions() {
    const path = S.path;
    const [w, r] = await Promise.all([api("GET", "/api/waveform?" + q(path)),
      S.info.suggestions ? api("GET", "/api/suggestions?" + q(path)) : Promise.resolve({ ok: true, data: { lanes: [] } })]);
    if (path !== S.path) return;
    const lanes = [];
    if (w.ok && w.data && w.data.max) {
      S.wave = w.data;
      lanes.push({ id: "waveform", label: "Sound", wave: w.data, segments: [], target_tier: null });
      $("audio-status").textContent = "";
    } else { $("audio-status").textContent = "(no soundtrack)"; }
    if (r.ok) {
      for (const lane of r.data.lanes || []) lanes.push(lane);
      const errs = [...new Set((S.info.sidecar_errors || []).concat(r.data.errors || []))];
      $("lane-errors").textContent = errs.length ? "⚠ " + errs.join(" · ") : "";
      if (errs.length) console.warn(errs);
    }
    for (const lane of lanes) stackSegments(lane);
    S.lanes = lanes;
    populateCurves(); resizeTimeline(); render();
  }
  // greedy interval partitioning: each segment gets a row so that overlapping ones are stacked
  function stackRows(items, t0, t1) {
    const ends = [];
    for (const it of items) {
      let r = 0;
      while (r < ends.length && ends[r] > t0(it)) r++;
      if (r >= MAX_STACK) { r = 0; let best = ends[0]; for (let k = 1; k < ends.length; k++) if (ends[k] < best) { best = ends[k]; r = k; } }
      ends[r] = Math.max(ends[r] || 0, t1(it));
      it._row = r;
    }
    return Math.max(1, Math.min(MAX_STACK, ends.length));
  }
  function stackSegments(lane) {
    const segs = lane.segments || [];
    segs.sort((a, b) => a.start_ms - b.start_ms || a.end_ms - b.end_ms);
    lane._rows = stackRows(segs, (x) => x.start_ms, (x) => x.end_ms);
  }
  function populateCurves() {
    const sel = $("curve-select"); sel.textContent = "";
    const none = document.createElement("option"); none.value = ""; none.textContent = "(none)"; sel.appendChild(none);
    for (const lane of S.lanes) {
      const names = Object.keys(lane.curves || {});
      if (names.length && !(lane.id in S.curveFor)) S.curveFor[lane.id] = names[0];
      for (const name of names) {
        const o = document.createElement("option"); o.value = lane.id + "/" + name; o.textContent = lane.label + ": " + name; sel.appendChild(o);
      }
    }
    const first = S.lanes.find((l) => l.curves && Object.keys(l.curves).length > 1) || S.lanes.find((l) => l.curves && Object.keys(l.curves).length);
    S.curve = first ? first.id + "/" + S.curveFor[first.id] : "";
    sel.value = S.curve;
  }

  // ------------------------------------------------------------------ derived data
  // Display times (_t0, _t1) for every annotation: aligned ones from their times (unaligned slots
  // filled from neighbours), reference annotations from their parent (symbolic subdivisions split it).
  function rebuild() {
    const byId = new Map();
    for (const t of S.doc.tiers) for (const a of t.annotations) byId.set(a.id, a);
    S.annById = byId;
    // ELAN time slots: known values from aligned annotations; unaligned slots are placed evenly
    // between their aligned neighbours in TIME_ORDER (slot number), as ELAN displays them.
    const slotVal = new Map();
    for (const t of S.doc.tiers) for (const a of t.annotations) {
      if (a.ref) continue;
      if (a.start_slot) { if (a.start_ms != null) slotVal.set(a.start_slot, a.start_ms); else if (!slotVal.has(a.start_slot)) slotVal.set(a.start_slot, null); }
      if (a.end_slot) { if (a.end_ms != null) slotVal.set(a.end_slot, a.end_ms); else if (!slotVal.has(a.end_slot)) slotVal.set(a.end_slot, null); }
    }
    const num = (sid) => { const m = /(\d+)$/.exec(sid); return m ? +m[1] : 0; };
    const order = [...slotVal.keys()].sort((x, y) => num(x) - num(y));
    for (let i = 0; i < order.length; i++) {
      if (slotVal.get(order[i]) != null) continue;
      let j = i; while (j < order.length && slotVal.get(order[j]) == null) j++;
      const left = i > 0 ? slotVal.get(order[i - 1]) : 0, right = j < order.length ? slotVal.get(order[j]) : left;
      for (let k = i; k < j; k++) slotVal.set(order[k], left + (right - left) * (k - i + 1) / (j - i + 1));
      i = j - 1;
    }
    for (const t of S.doc.tiers) for (const a of t.annotations) {
      if (a.ref) continue;
      a._t0 = a.start_ms != null ? a.start_ms : (a.start_slot && slotVal.get(a.start_slot) != null ? slotVal.get(a.start_slot) : 0);
      a._t1 = a.end_ms != null ? a.end_ms : (a.end_slot && slotVal.get(a.end_slot) != null ? slotVal.get(a.end_slot) : a._t0);
    }
    // reference annotations take their parent's span, tier by tier from the top of the hierarchy;
    // symbolic subdivisions (siblings sharing a parent, ordered by "previous") split it evenly
    const tierById = new Map(S.doc.tiers.map((t) => [t.id, t]));
    const depth = (t) => { let d = 0, p = t; const seen = new Set(); while (p && p.parent && !seen.has(p.id)) { seen.add(p.id); p = tierById.get(p.parent); d++; } return d; };
    const byDepth = S.doc.tiers.slice().sort((x, y) => depth(x) - depth(y));
    for (const t of byDepth) {
      const groups = new Map();
      for (const a of t.annotations) {
        if (!a.ref) continue;
        const p = byId.get(a.ref);
        a._t0 = p && p._t0 != null ? p._t0 : 0; a._t1 = p && p._t1 != null ? p._t1 : a._t0;
        if (!groups.has(a.ref)) groups.set(a.ref, []);
        groups.get(a.ref).push(a);
      }
      for (const [, g] of groups) {
        if (g.length < 2) continue;
        const ids = new Map(g.map((a) => [a.previous || "", a]));
        const ordered = []; let cur = ids.get("");
        while (cur && ordered.length < g.length) { ordered.push(cur); cur = ids.get(cur.id); }
        if (ordered.length !== g.length) continue;
        const t0 = ordered[0]._t0, t1 = ordered[0]._t1, w = (t1 - t0) / ordered.length;
        ordered.forEach((a, i) => { a._t0 = t0 + i * w; a._t1 = t0 + (i + 1) * w; });
      }
    }
    for (const t of S.doc.tiers) {
      t.annotations.sort((a, b) => a._t0 - b._t0 || a._t1 - b._t1);
      let md = 0; for (const a of t.annotations) md = Math.max(md, a._t1 - a._t0);
      t._maxDur = md;
      t._rows = stackRows(t.annotations, (a) => a._t0, (a) => a._t1);
    }
    if (S.activeTier >= S.doc.tiers.length) S.activeTier = Math.max(0, S.doc.tiers.length - 1);
    $("active-tier").textContent = S.doc.tiers.length ? S.doc.tiers[S.activeTier].id : "–";
  }

  // ------------------------------------------------------------------ editing
  function pushUndo() {
    S.undo.push(tiersSnapshot());
    if (S.undo.length > 200) S.undo.shift();
    S.redo = [];
  }
  function changed() { rebuild(); updateDuration(); updateInspector(); render(); scheduleSave(); }
  function undo() {
    if (!S.undo.length) return;
    S.redo.push(tiersSnapshot()); S.doc.tiers = JSON.parse(S.undo.pop()); validateSel(); changed(); resizeTimeline(); updateTierPanel();
  }
  function redo() {
    if (!S.redo.length) return;
    S.undo.push(tiersSnapshot()); S.doc.tiers = JSON.parse(S.redo.pop()); validateSel(); changed(); resizeTimeline(); updateTierPanel();
  }
  function validateSel() { if (S.sel && !findAnn(S.sel)) S.sel = null; }
  function findAnn(sel) {
    if (!sel) return null;
    const t = S.doc.tiers.find((x) => x.id === sel.tier);
    if (!t) return null;
    return t.annotations.find((a) => a.id === sel.id) || null;
  }
  function tierOf(sel) { return S.doc.tiers.find((x) => x.id === sel.tier); }
  function defaultValue(tier) { return ""; }

  // ---- tiers: ELAN's parent / type model
  function tierType(tier) {
    const lts = S.doc.elan && S.doc.elan.linguistic_types;
    const lt = lts && tier.linguistic_type ? lts[tier.linguistic_type] : null;
    return (lt && lt.CONSTRAINTS) || "";
  }
  function parentAnnAt(tier, ms) {
    const p = S.doc.tiers.find((t) => t.id === tier.parent);
    if (!p) return null;
    let best = null;
    for (const a of p.annotations) if (a._t0 <= ms && ms < a._t1 && (!best || a._t1 - a._t0 < best._t1 - best._t0)) best = a;
    return best;
  }
  function createAnnotation(tierIdx, t0, t1, value, source) {
    const tier = S.doc.tiers[tierIdx];
    if (!tier) return null;
    t0 = snap(Math.max(0, t0)); t1 = snap(Math.max(0, t1));
    if (t1 < t0) [t0, t1] = [t1, t0];
    if (t1 === t0) t1 = frameToMs(msToFrame(t0) + 1);
    const type = tier.parent ? tierType(tier) : "";
    if (type) {
      const parent = parentAnnAt(tier, (t0 + t1) / 2) || parentAnnAt(tier, t0);
      if (!parent) { setStatus("a " + type.replace("_", " ").toLowerCase() + " tier needs an annotation on its parent " + tier.parent + " there", "pending"); return null; }
      if (SYMBOLIC.has(type)) {
        const sibs = tier.annotations.filter((x) => x.ref === parent.id);
        if (type === "Symbolic_Association" && sibs.length) {
          S.sel = { tier: tier.id, id: sibs[0].id }; S.activeTier = tierIdx; rebuild(); updateInspector(); render(); return sibs[0];
        }
        pushUndo();
        const ids = new Set(sibs.map((x) => x.previous));
        const last = sibs.find((x) => !ids.has(x.id));
        const a = { id: newId(), ref: parent.id, value: value || "" };
        if (type === "Symbolic_Subdivision" && last) a.previous = last.id;
        if (source) a.source = source;
        tier.annotations.push(a);
        S.sel = { tier: tier.id, id: a.id }; S.selSugg = null; S.activeTier = tierIdx;
        changed();
        return a;
      }
      t0 = Math.max(t0, parent._t0); t1 = Math.min(t1, parent._t1);  // Included_In / Time_Subdivision
      if (t1 <= t0) t1 = Math.min(parent._t1, t0 + 1000 / S.fps);
    }
    pushUndo();
    const a = { id: newId(), start_ms: t0, end_ms: t1, value: value || defaultValue(tier) };
    if (source) a.source = source;
    tier.annotations.push(a);
    S.sel = { tier: tier.id, id: a.id }; S.selSugg = null; S.activeTier = tierIdx;
    changed();
    return a;
  }
  function deleteSelected() {
    const a = findAnn(S.sel);
    if (!a) return;
    pushUndo();
    const t = tierOf(S.sel);
    t.annotations = t.annotations.filter((x) => x.id !== a.id);
    for (const x of t.annotations) if (x.previous === a.id) { if (a.previous) x.previous = a.previous; else delete x.previous; }
    // reference annotations that pointed at it go too (ELAN would delete them)
    const gone = new Set([a.id]);
    let more = true;
    while (more) {
      more = false;
      for (const tt of S.doc.tiers) {
        const keep = tt.annotations.filter((x) => !(x.ref && gone.has(x.ref)));
        if (keep.length !== tt.annotations.length) {
          for (const x of tt.annotations) if (x.ref && gone.has(x.ref)) gone.add(x.id);
          tt.annotations = keep; more = true;
        }
      }
    }
    S.sel = null; changed();
  }
  function setTimes(a, t0, t1, undoable) {
    if (a.ref) return;
    if (undoable) pushUndo();
    t0 = Math.max(0, snap(t0)); t1 = Math.max(0, snap(t1));
    if (t1 <= t0) t1 = frameToMs(msToFrame(t0) + 1);
    a.start_ms = t0; a.end_ms = t1;
  }
  function valueProblem(tier, value) {
    if (tier.kind === "au" && value && !AU_RE.test(value)) return "action units are written AU12 or AU12C (intensity A-E)";
    return null;
  }
  function commitValue() {
    const a = findAnn(S.sel);
    if (!a) return true;
    const tier = tierOf(S.sel);
    const inp = $("value-input");
    const v = inp.value.trim();
    const problem = valueProblem(tier, v);
    if (problem) { inp.classList.add("invalid"); $("value-hint").textContent = problem; return false; }
    if (v !== a.value) { pushUndo(); a.value = v; changed(); }
    return true;
  }

  // ------------------------------------------------------------------ tier panel
  function descendants(id) {
    const out = new Set([id]); let more = true;
    while (more) { more = false; for (const t of S.doc.tiers) if (t.parent && out.has(t.parent) && !out.has(t.id)) { out.add(t.id); more = true; } }
    return out;
  }
  function tierDepth(t) {
    let d = 0, p = t; const seen = new Set();
    while (p && p.parent && !seen.has(p.id)) { seen.add(p.id); p = S.doc.tiers.find((x) => x.id === p.parent); d++; }
    return d;
  }
  function fillSelect(sel, options, value) {
    sel.textContent = "";
    for (const [v, label] of options) { const o = document.createElement("option"); o.value = v; o.textContent = label; sel.appendChild(o); }
    sel.value = value;
  }
  function tierHint(text) { $("tier-hint").textContent = text || ""; }
  function updateTierPanel() {
    if (!S.doc) return;
    const t = S.doc.tiers[S.activeTier];
    $("tier-form").querySelectorAll("input, select, button").forEach((el) => { el.disabled = !t && el.id !== "tier-add-btn"; });
    if (!t) { $("tier-title").textContent = "(none)"; return; }
    $("tier-title").textContent = t.id;
    if (document.activeElement !== $("tier-name")) $("tier-name").value = t.id;
    fillSelect($("tier-kind"), TIER_KINDS.map((k) => [k, k.replace("_", " ")]), t.kind || "other");
    const bad = descendants(t.id);
    fillSelect($("tier-parent"), [["", "(none)"]].concat(S.doc.tiers.filter((x) => !bad.has(x.id)).map((x) => [x.id, x.id])), t.parent || "");
    $("tier-type").value = t.parent ? tierType(t) : "";
    $("tier-type").disabled = !t.parent;
    const vocabs = Object.keys(S.doc.vocabularies || {});
    fillSelect($("tier-vocab"), [["", "(none)"]].concat(vocabs.map((v) => [v, v + " (" + S.doc.vocabularies[v].length + ")"])).concat([["__new__", "new…"]]), t.vocabulary || "");
  }
  function tierChanged() { rebuild(); resizeTimeline(); changed(); updateTierPanel(); }
  function renameTier(t, name) {
    name = name.trim();
    if (!name || name.length > 200) { tierHint("a tier name has 1 to 200 characters"); return false; }
    if (name === t.id) return true;
    if (S.doc.tiers.some((x) => x.id === name)) { tierHint("there is already a tier " + name); return false; }
    pushUndo();
    for (const x of S.doc.tiers) if (x.parent === t.id) x.parent = name;
    if (S.sel && S.sel.tier === t.id) S.sel.tier = name;
    t.id = name; tierHint(""); tierChanged(); return true;
  }
  function setTierType(t, type) {
    const hasRefs = t.annotations.some((a) => a.ref), hasAligned = t.annotations.some((a) => !a.ref);
    if (SYMBOLIC.has(type) ? hasAligned : hasRefs) {
      tierHint("the tier holds " + (hasRefs ? "reference" : "time-aligned") + " annotations: empty it before making it " + (type || "independent").replace("_", " ").toLowerCase());
      updateTierPanel(); return false;
    }
    pushUndo();
    if (!type) {
      if (tierType(t)) t.linguistic_type = "default-lt";
    } else {
      const lt = type.toLowerCase().replace("_", "-") + (t.vocabulary ? "-" + t.vocabulary : "");
      if (!S.doc.elan) S.doc.elan = {};
      if (!S.doc.elan.linguistic_types) S.doc.elan.linguistic_types = {};
      if (!S.doc.elan.linguistic_types[lt]) {
        S.doc.elan.linguistic_types[lt] = { LINGUISTIC_TYPE_ID: lt, TIME_ALIGNABLE: SYMBOLIC.has(type) ? "false" : "true",
          GRAPHIC_REFERENCES: "false", CONSTRAINTS: type };
      }
      t.linguistic_type = lt;
    }
    tierHint(""); tierChanged(); return true;
  }
  $("tier-name").addEventListener("keydown", (ev) => {
    ev.stopPropagation();
    if (ev.key === "Enter") { ev.preventDefault(); if (renameTier(S.doc.tiers[S.activeTier], $("tier-name").value)) canvas.focus({ preventScroll: true }); }
    else if (ev.key === "Escape") { ev.preventDefault(); $("tier-name").value = S.doc.tiers[S.activeTier].id; canvas.focus({ preventScroll: true }); }
  });
  $("tier-name").addEventListener("change", () => { const t = S.doc.tiers[S.activeTier]; if (t) renameTier(t, $("tier-name").value); });
  $("tier-kind").addEventListener("change", () => {
    const t = S.doc.tiers[S.activeTier]; if (!t) return;
    const kind = $("tier-kind").value;
    if (kind === "au" && t.annotations.some((a) => a.value && !AU_RE.test(a.value))) { tierHint("some values are not action units (AU12C)"); updateTierPanel(); return; }
    pushUndo(); t.kind = kind; tierChanged();
  });
  $("tier-parent").addEventListener("change", () => {
    const t = S.doc.tiers[S.activeTier]; if (!t) return;
    const parent = $("tier-parent").value || null;
    if (!parent && t.annotations.some((a) => a.ref)) { tierHint("the tier holds reference annotations: it needs a parent"); updateTierPanel(); return; }
    pushUndo(); t.parent = parent;
    if (!parent && tierType(t)) t.linguistic_type = "default-lt";
    tierChanged();
    if (parent && !tierType(t)) setTierType(t, t.annotations.length ? "Included_In" : "Symbolic_Association");
  });
  $("tier-type").addEventListener("change", () => { const t = S.doc.tiers[S.activeTier]; if (t) setTierType(t, $("tier-type").value); });
  $("tier-vocab").addEventListener("change", () => {
    const t = S.doc.tiers[S.activeTier]; if (!t) return;
    const v = $("tier-vocab").value;
    if (v === "__new__") { openVocabEditor(""); updateTierPanel(); return; }
    pushUndo(); t.vocabulary = v || null; tierChanged();
  });
  function openVocabEditor(name) {
    $("vocab-editor").hidden = false;
    $("vocab-name").value = name;
    $("vocab-entries").value = name && S.doc.vocabularies[name] ? S.doc.vocabularies[name].join("\n") : "";
    $("vocab-name").focus();
  }
  $("vocab-edit-btn").addEventListener("click", () => { const t = S.doc.tiers[S.activeTier]; openVocabEditor(t && t.vocabulary || ""); });
  $("vocab-save-btn").addEventListener("click", () => {
    const t = S.doc.tiers[S.activeTier];
    const name = $("vocab-name").value.trim();
    if (!name) { tierHint("give the vocabulary a name"); return; }
    const entries = [...new Set($("vocab-entries").value.split("\n").map((x) => x.trim()).filter(Boolean))];
    if (!S.doc.vocabularies) S.doc.vocabularies = {};
    S.doc.vocabularies[name] = entries;
    // an ELAN vocabulary of that name (from an import) is rebuilt from these entries on export
    if (S.doc.elan && S.doc.elan.controlled_vocabularies) delete S.doc.elan.controlled_vocabularies[name];
    $("vocab-list")._vocab = null;
    $("vocab-editor").hidden = true;
    if (t) { pushUndo(); t.vocabulary = name; }
    tierHint(""); tierChanged();
  });
  $("vocab-name").addEventListener("keydown", (ev) => ev.stopPropagation());
  $("vocab-entries").addEventListener("keydown", (ev) => ev.stopPropagation());
  $("tier-add-btn").addEventListener("click", () => {
    let n = S.doc.tiers.length + 1, id = "tier-" + n;
    while (S.doc.tiers.some((t) => t.id === id)) { n++; id = "tier-" + n; }
    if (S.doc.tiers.length >= 64) { tierHint("at most 64 tiers"); return; }
    pushUndo();
    const at = Math.min(S.doc.tiers.length, S.activeTier + 1);
    S.doc.tiers.splice(at, 0, { id, kind: "other", parent: null, linguistic_type: "default-lt", vocabulary: null, attributes: {}, annotations: [] });
    S.activeTier = at; tierChanged();
    $("tier-name").focus(); $("tier-name").select();
  });
  function moveTier(d) {
    const i = S.activeTier, j = i + d;
    if (j < 0 || j >= S.doc.tiers.length) return;
    pushUndo();
    const ts = S.doc.tiers; [ts[i], ts[j]] = [ts[j], ts[i]];
    S.activeTier = j; tierChanged();
  }
  $("tier-up-btn").addEventListener("click", () => moveTier(-1));
  $("tier-down-btn").addEventListener("click", () => moveTier(1));
  $("tier-delete-btn").addEventListener("click", () => {
    const t = S.doc.tiers[S.activeTier]; if (!t) return;
    const gone = descendants(t.id);
    pushUndo();
    S.doc.tiers = S.doc.tiers.filter((x) => !gone.has(x.id));
    if (S.sel && gone.has(S.sel.tier)) S.sel = null;
    S.activeTier = Math.max(0, Math.min(S.activeTier, S.doc.tiers.length - 1));
    setStatus("deleted tier " + t.id + (gone.size > 1 ? " and " + (gone.size - 1) + " dependent tier(s)" : "") + " (undo: Ctrl+Z)", "pending");
    tierChanged();
  });
  $("tier-form").addEventListener("submit", (ev) => ev.preventDefault());

  // ------------------------------------------------------------------ saving
  function scheduleSave() {
    if (S.saveTimer) clearTimeout(S.saveTimer);
    setStatus("unsaved changes", "pending");
    S.saveTimer = setTimeout(save, 800);
  }
  async function save() {
    if (S.saveTimer) { clearTimeout(S.saveTimer); S.saveTimer = null; }
    if (!S.doc || S.conflict) return;
    if (S.saving) { S.savePending = true; return; }
    const doc = docForSave();
    const text = JSON.stringify(doc);
    if (text === S.lastSaved) { setStatus("saved, revision " + S.doc.revision); return; }
    S.saving = true; setStatus("saving…", "pending");
    const path = S.path;
    let r;
    try {
      r = await api("PUT", "/api/annotations?" + q(path), '{"base_revision":' + S.doc.revision + ',"document":' + text + "}");
    } catch (e) { r = { status: 0, ok: false, data: { detail: String(e) } }; }
    S.saving = false;
    if (path !== S.path) return;
    if (r.ok) {
      S.doc.revision = r.data.revision; doc.revision = r.data.revision;
      S.lastSaved = JSON.stringify(doc);
      setStatus("saved, revision " + r.data.revision);
    } else if (r.status === 409) {
      S.conflict = r.data;
      $("conflict-text").textContent = "Revision " + r.data.current_revision + " was saved elsewhere (another tab?) after your revision " + r.data.base_revision + ". Your edits are not lost.";
      $("conflict-banner").hidden = false;
      setStatus("conflict: not saved", "error");
    } else {
      const d = r.data && r.data.detail;
      const text = typeof d === "string" ? d : d ? JSON.stringify(d) : "HTTP " + r.status;
      setStatus("not saved (see the message above the video)", "error");
      $("error-text").textContent = (/not saved/i.test(text) ? text : "Not saved: " + text) + ". Your edits are kept in this page.";
      $("error-banner").hidden = false;
      S.saveError = { status: r.status, kind: r.data && r.data.kind, detail: text };
      if (S.savePending) { S.savePending = false; }
      return;
    }
    $("error-banner").hidden = true; S.saveError = null;
    if (S.savePending) { S.savePending = false; scheduleSave(); }
  }
  async function mergeConflict() {
    const base = S.conflict ? S.conflict.base_revision : S.doc.revision;
    const r = await api("POST", "/api/annotations/merge?" + q(S.path), { base_revision: base, document: docForSave() });
    if (!r.ok) { setStatus("merge failed: " + JSON.stringify(r.data && r.data.detail), "error"); return; }
    S.doc = r.data.document; S.conflict = null; $("conflict-banner").hidden = true;
    S.lastSaved = JSON.stringify(docForSave());
    validateSel(); rebuild(); updateInspector(); render();
    const n = (r.data.conflicts || []).length;
    setStatus("merged, revision " + r.data.revision + (n ? " (" + n + " conflicting edits kept as -theirs copies)" : ""));
  }
  function takeTheirs() {
    if (!S.conflict) return;
    pushUndo();
    S.doc = S.conflict.current; S.conflict = null; $("conflict-banner").hidden = true;
    S.lastSaved = JSON.stringify(docForSave());
    validateSel(); rebuild(); updateInspector(); render();
    setStatus("loaded revision " + S.doc.revision + " (your version is in undo)");
  }

  // ------------------------------------------------------------------ video & overlay
  const video = $("video");
  function curFrame() { return Math.floor(video.currentTime * S.fps + 1e-4); }
  function curMs() { return frameToMs(curFrame()); }
  function seekFrame(f) {
    const maxF = S.info && S.info.frames ? S.info.frames - 1 : Math.floor(S.durationMs * S.fps / 1000);
    f = Math.max(0, Math.min(maxF, f));
    video.currentTime = (f + 0.5) / S.fps;
    updateReadout(f);
  }
  function seekMs(ms) { seekFrame(Math.floor(ms * S.fps / 1000 + 1e-6)); }
  function step(n) { if (!video.paused) video.pause(); seekFrame(curFrame() + n); }
  function togglePlay() { if (video.paused) video.play(); else video.pause(); }
  function updateReadout(f) {
    if (f === undefined) f = curFrame();
    $("frame-no").textContent = f;
    $("timecode").textContent = fmtTime(frameToMs(f));
    $("play-btn").textContent = video.paused ? "Play" : "Pause";
  }
  function onFrame() {
    updateReadout(); drawOverlay();
    if (!video.paused) followPlayhead();
    render();
  }
  video.addEventListener("seeked", onFrame);
  video.addEventListener("loadedmetadata", () => { updateDuration(); resizeOverlay(); if (!S._fitted) { zoomFit(); } onFrame(); });
  video.addEventListener("play", () => { updateReadout(); tick(); });
  video.addEventListener("pause", () => { updateReadout(); onFrame(); });
  function tick() {
    if (video.paused) return;
    onFrame();
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(tick); else requestAnimationFrame(tick);
  }
  function followPlayhead() {
    const w = timelineW(); const x = (video.currentTime * 1000 - S.viewStart) / S.msPerPx;
    if (x > w * 0.9 || x < 0) S.viewStart = Math.max(0, video.currentTime * 1000 - w * 0.1 * S.msPerPx);
  }
  function resizeOverlay() {
    const c = $("overlay");
    c.width = video.clientWidth * devicePixelRatio; c.height = video.clientHeight * devicePixelRatio;
    c.style.width = video.clientWidth + "px"; c.style.height = video.clientHeight + "px";
  }
  async function fetchLandmarks(frame) {
    const start = Math.floor(frame / CHUNK) * CHUNK;
    if (S.landmarks.has(start) || S.lmMissing) return;
    S.landmarks.set(start, null);
    const r = await api("GET", "/api/landmarks?" + q(S.path) + "&start=" + start + "&count=" + CHUNK);
    if (!r.ok) { S.lmMissing = true; $("overlay-status").textContent = "(landmarks: " + ((r.data && r.data.detail) || r.status) + ")"; return; }
    S.landmarks.set(start, r.data.frames);
    S.lmMeta = r.data;
    $("overlay-status").textContent = "";
    drawOverlay();
  }
  const COMP_COLORS = { POSE: "#33ff99", LEFT_HAND: "#ff6f61", RIGHT_HAND: "#4fc3f7", FACE: "#ffffff", POSE_WORLD: null };
  const COMP_PART = { POSE: "body", LEFT_HAND: "hands", RIGHT_HAND: "hands", FACE: "face" };
  function partShown(name) { const part = COMP_PART[name]; return !part || $("show-" + part).checked; }
  function drawOverlay() {
    const c = $("overlay"), ctx = c.getContext("2d");
    if (c.width !== Math.round(video.clientWidth * devicePixelRatio)) resizeOverlay();
    ctx.clearRect(0, 0, c.width, c.height);
    if (!$("show-overlay").checked || !S.info || !S.info.landmarks || S.lmMissing) return;
    const f = curFrame();
    const start = Math.floor(f / CHUNK) * CHUNK;
    if (!S.landmarks.has(start)) { fetchLandmarks(f); return; }
    if (f % CHUNK > CHUNK * 0.6) fetchLandmarks(start + CHUNK);
    const frames = S.landmarks.get(start);
    const m = S.lmMeta;
    if (!frames || !m) return;
    const row = frames[f - start];
    if (!row) return;
    // the picture is letterboxed inside the element (object-fit: contain): map onto its content box
    const vw = video.videoWidth || S.info.width || m.width || 1, vh = video.videoHeight || S.info.height || m.height || 1;
    const scale = Math.min(c.width / vw, c.height / vh);
    const ox = (c.width - vw * scale) / 2, oy = (c.height - vh * scale) / 2;
    const lw = m.width || vw, lh = m.height || vh;   // landmark pixel space (as extracted)
    const sx = m.normalized ? vw * scale : vw * scale / lw, sy = m.normalized ? vh * scale : vh * scale / lh;
    ctx.lineWidth = 2 * devicePixelRatio;
    const opacity = +$("overlay-opacity").value;
    for (const comp of m.components) {
      const col = COMP_COLORS[comp.name] === undefined ? "#ffd54f" : COMP_COLORS[comp.name];
      if (!col || !partShown(comp.name)) continue;
      ctx.globalAlpha = opacity;
      ctx.strokeStyle = col; ctx.fillStyle = col;
      const o = comp.offset;
      const P = (i) => { const x = row[2 * (o + i)], y = row[2 * (o + i) + 1]; return x == null ? null : [ox + x * sx, oy + y * sy]; };
      if (comp.edges.length) {
        ctx.beginPath();
        for (const [a, b] of comp.edges) { const pa = P(a), pb = P(b); if (pa && pb) { ctx.moveTo(pa[0], pa[1]); ctx.lineTo(pb[0], pb[1]); } }
        ctx.stroke();
      }
      const r = comp.name === "FACE" ? 0.9 * devicePixelRatio : 2 * devicePixelRatio;
      ctx.globalAlpha = opacity * (comp.name === "FACE" ? 0.7 : 1);
      for (let i = 0; i < comp.n; i++) { const p = P(i); if (p) ctx.fillRect(p[0] - r, p[1] - r, 2 * r, 2 * r); }
      ctx.globalAlpha = 1;
    }
  }

  // ------------------------------------------------------------------ timeline geometry
  const canvas = $("timeline");
  function timelineW() { return Math.max(50, canvas.clientWidth - LABEL_W); }
  function tierTop(i) { return RULER_H + i * ROW_H; }
  function laneTop(j) { return RULER_H + S.doc.tiers.length * ROW_H + j * LANE_H; }
  function timeToX(ms) { return LABEL_W + (ms - S.viewStart) / S.msPerPx; }
  function xToTime(x) { return S.viewStart + (x - LABEL_W) * S.msPerPx; }
  function resizeTimeline() {
    if (!S.doc) return;
    const h = timelineH();
    canvas.style.height = h + "px";
    canvas.width = Math.round(canvas.clientWidth * devicePixelRatio);
    canvas.height = Math.round(h * devicePixelRatio);
  }
  function zoomFit() {
    if (!S.doc) return;
    S._fitted = !!(video.duration && isFinite(video.duration));
    updateDuration();
    resizeTimeline();
    S.viewStart = 0; S.msPerPx = Math.max(0.5, S.durationMs / timelineW());
    render();
  }
  function zoom(factor, centerMs) {
    if (centerMs === undefined) centerMs = curMs();
    const x = timeToX(centerMs);
    S.msPerPx = Math.min(Math.max(S.msPerPx * factor, 0.2), Math.max(1, S.durationMs / 50));
    S.viewStart = Math.max(0, centerMs - (x - LABEL_W) * S.msPerPx);
    render();
  }

  // first index in a tier (sorted by _t0) that may be visible at or after time t
  function firstVisible(anns, t, maxDur) {
    let lo = 0, hi = anns.length; const key = t - maxDur;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (anns[mid]._t0 < key) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // ------------------------------------------------------------------ timeline rendering
  function render() {
    if (!S.doc || $("editor-view").hidden) return 0;
    const t0 = performance.now();
    renderTimeline();
    const dt = performance.now() - t0;
    S.renderMs.push(dt); if (S.renderMs.length > 50) S.renderMs.shift();
    return dt;
  }
  function timelineH() { return RULER_H + S.doc.tiers.length * ROW_H + S.lanes.length * LANE_H + 6; }
  function renderTimeline() {
    const dpr = devicePixelRatio;
    if (canvas.width !== Math.round(canvas.clientWidth * dpr) || canvas.height !== Math.round(timelineH() * dpr)) resizeTimeline();
    S.labelRects = [];
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const W = canvas.clientWidth, H = canvas.height / dpr;
    const viewEnd = xToTime(W);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    ctx.font = "12px system-ui, sans-serif"; ctx.textBaseline = "middle";
    // ruler
    ctx.fillStyle = "#eef1f4"; ctx.fillRect(LABEL_W, 0, W - LABEL_W, RULER_H);
    const targetPx = 90, raw = targetPx * S.msPerPx;
    const steps = [1, 2, 5, 10, 20, 40, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000, 1800000];
    let stepMs = steps[steps.length - 1]; for (const s of steps) if (s >= raw) { stepMs = s; break; }
    ctx.fillStyle = "#555"; ctx.strokeStyle = "#c9ced6"; ctx.lineWidth = 1;
    ctx.beginPath();
    for (let t = Math.floor(S.viewStart / stepMs) * stepMs; t <= viewEnd; t += stepMs) {
      const x = Math.round(timeToX(t)) + 0.5; if (x < LABEL_W) continue;
      ctx.moveTo(x, RULER_H - 8); ctx.lineTo(x, H);
      ctx.fillText(fmtTime(t).replace(/\.?0+$/, ""), x + 3, 9);
    }
    ctx.stroke();
    // in/out marks
    if (S.inMs != null || S.outMs != null) {
      const a = S.inMs != null ? S.inMs : S.outMs, b = S.outMs != null ? S.outMs : S.inMs;
      ctx.fillStyle = "rgba(255, 200, 0, 0.25)";
      ctx.fillRect(timeToX(Math.min(a, b)), 0, Math.max(2, (Math.abs(b - a)) / S.msPerPx), H);
    }
    // tiers
    const tiers = S.doc.tiers;
    for (let i = 0; i < tiers.length; i++) {
      const t = tiers[i], y = tierTop(i);
      ctx.fillStyle = i === S.activeTier ? "#e7f0fb" : (i % 2 ? "#fafbfc" : "#fff");
      ctx.fillRect(0, y, W, ROW_H);
      ctx.fillStyle = "#222"; ctx.font = (i === S.activeTier ? "bold " : "") + "12px system-ui, sans-serif";
      const depth = t.parent ? tierDepth(t) : 0, indent = 6 + 10 * Math.min(depth, 4);
      ctx.fillText((i < 9 ? (i + 1) + " " : "") + (depth ? "└ " : "") + t.id, indent, y + ROW_H / 2, LABEL_W - indent - 4);
      ctx.font = "12px system-ui, sans-serif";
      const color = TIER_COLORS[t.kind] || TIER_COLORS.other;
      const anns = t.annotations;
      const sel = S.sel && S.sel.tier === t.id ? S.sel.id : null;
      const rows = t._rows || 1, rh = (ROW_H - 6) / rows;
      ctx.save(); ctx.beginPath(); ctx.rect(LABEL_W, y, W - LABEL_W, ROW_H); ctx.clip();
      const lastPx = [-1, -1, -1], labelEnd = [-Infinity, -Infinity, -Infinity];
      for (let k = firstVisible(anns, S.viewStart, t._maxDur || 0); k < anns.length; k++) {
        const a = anns[k];
        if (a._t0 > viewEnd) break;
        if (a._t1 < S.viewStart) continue;
        const r = rows > 1 ? a._row || 0 : 0;
        const x0 = timeToX(a._t0), x1 = timeToX(a._t1), w = Math.max(1, x1 - x0);
        if (w < 2 && Math.floor(x0) === lastPx[r] && a.id !== sel) continue;  // sub-pixel crowd: one bar per pixel
        lastPx[r] = Math.floor(x0);
        const by = y + 3 + r * rh;
        ctx.fillStyle = a.id === sel ? "#ffb300" : (a.ref ? "#9aa7b5" : color);
        ctx.fillRect(x0, by, w > 3 ? w - 1 : w, rows > 1 ? rh - 1 : rh);  // 1 px gap between abutting boxes
        if (rh >= 10) drawLabel(ctx, a.value || "·", x0, x1, by + rh / 2, labelEnd, r, a.id === sel ? "#000" : "#fff", rows > 1 ? 11 : 12);
      }
      ctx.restore();
    }
    // suggestion and curve lanes: boxes first, the curve above them, its scale in the label column
    for (let j = 0; j < S.lanes.length; j++) {
      const lane = S.lanes[j], y = laneTop(j);
      ctx.fillStyle = lane.wave ? "#eef3f8" : "#f7f3ea"; ctx.fillRect(0, y, W, LANE_H);
      ctx.fillStyle = "#6b5a2e"; ctx.font = "12px system-ui, sans-serif";
      ctx.fillText((lane.wave ? "♪ " : "✦ ") + lane.label, 6, y + 10, LABEL_W - 10);
      ctx.save(); ctx.beginPath(); ctx.rect(LABEL_W, y, W - LABEL_W, LANE_H); ctx.clip();
      const segs = lane.segments || [];
      const rows = lane._rows || 1, rh = (LANE_H - 8) / rows;
      const labelEnd = [-Infinity, -Infinity, -Infinity];
      for (let k = 0; k < segs.length; k++) {
        const sg = segs[k];
        if (sg.end_ms < S.viewStart || sg.start_ms > viewEnd) continue;
        const r = rows > 1 ? sg._row || 0 : 0;
        const x0 = timeToX(sg.start_ms), x1 = timeToX(sg.end_ms), w = Math.max(1, x1 - x0), by = y + 4 + r * rh;
        const selected = S.selSugg && S.selSugg.lane === j && S.selSugg.idx === k;
        ctx.fillStyle = selected ? "rgba(255,179,0,0.8)" : (sg._accepted ? "rgba(120,120,120,0.25)" : "rgba(230,126,34,0.45)");
        ctx.fillRect(x0, by, w > 3 ? w - 1 : w, rows > 1 ? rh - 1 : rh);
        if (rh >= 9) drawLabel(ctx, sg.label || sg.value, x0, x1, by + rh / 2, labelEnd, r, "#3a2a00", rows > 1 ? 10 : 12);
      }
      let scale = null;
      if (lane.wave) scale = drawWave(ctx, lane.wave, y, W);
      else {
        const cname = S.curveFor[lane.id], curve = cname && lane.curves ? lane.curves[cname] : null;
        if (curve) scale = drawCurve(ctx, curve, y, viewEnd);
        if (scale) scale.name = Object.keys(lane.curves).length > 1 ? cname : "";
      }
      ctx.restore();
      if (scale) {
        ctx.fillStyle = "#7a6a44"; ctx.font = "10px system-ui, sans-serif";
        const unit = lane.unit ? " " + lane.unit : "";
        ctx.fillText((scale.name ? scale.name + " " : "") + fmtNum(scale.lo) + (scale.lo < 0 ? " … " : "–") + fmtNum(scale.hi) + unit, 14, y + 24, LABEL_W - 18);
        ctx.font = "12px system-ui, sans-serif";
      }
    }
    // label column border and playhead
    ctx.fillStyle = "#d5dae0"; ctx.fillRect(LABEL_W - 1, 0, 1, H);
    const px = timeToX(video.currentTime * 1000);
    if (px >= LABEL_W && px <= W) { ctx.fillStyle = "#e53935"; ctx.fillRect(Math.round(px) - 1, 0, 2, H); }
    if (S.drag && S.drag.mode === "create") {
      const a = Math.min(S.drag.t0, S.drag.t1), b = Math.max(S.drag.t0, S.drag.t1);
      ctx.fillStyle = "rgba(59,125,216,0.35)"; ctx.fillRect(timeToX(a), tierTop(S.drag.tier) + 3, (b - a) / S.msPerPx, ROW_H - 6);
    }
    $("timeline-info").textContent = S.doc.tiers.reduce((n, t) => n + t.annotations.length, 0) + " annotations · " +
      fmtTime(S.viewStart) + "–" + fmtTime(viewEnd);
  }

  // a label inside its box, kept at the view's left edge when the box starts before it, left out when
  // it would run into the previous label of the same row (rects are kept for the layout tests)
  function drawLabel(ctx, text, x0, x1, cy, labelEnd, r, color, px) {
    const lx = Math.max(x0, LABEL_W) + 3, room = Math.min(x1, canvas.clientWidth) - lx - 3;
    if (room < 14 || lx < labelEnd[r]) return;
    if (px !== 12) ctx.font = px + "px system-ui, sans-serif";
    const tw = Math.min(ctx.measureText(text).width, room);
    ctx.fillStyle = color; ctx.fillText(text, lx, cy, room);
    if (px !== 12) ctx.font = "12px system-ui, sans-serif";
    labelEnd[r] = lx + tw + 4;
    S.labelRects.push([lx, cy - px / 2, tw, px]);
  }
  function fmtNum(v) { const a = Math.abs(v); return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2); }
  // a curve in its lane, scaled to its own range; where several points fall in one pixel column only
  // their min and max are drawn (software canvases stroke long, dense paths slowly)
  function drawCurve(ctx, curve, y, viewEnd) {
    if (curve._lo === undefined) {
      let lo = Infinity, hi = -Infinity;
      for (const v of curve.v) if (v != null) { if (v < lo) lo = v; if (v > hi) hi = v; }
      curve._lo = lo; curve._hi = hi;
    }
    let lo = curve._lo, hi = curve._hi;
    if (!(hi >= lo)) return null;
    if (hi === lo) hi = lo + 1;
    const T = curve.t, V = curve.v, n = T.length;
    const Y = (v) => y + LANE_H - 3 - (v - lo) / (hi - lo) * (LANE_H - 6);
    // visible index range (times are sorted)
    let k0 = 0, k1 = n;
    { let a = 0, b = n; const t0 = (S.viewStart - 5000) / 1000; while (a < b) { const m = (a + b) >> 1; if (T[m] < t0) a = m + 1; else b = m; } k0 = a; }
    { let a = k0, b = n; const t1 = (viewEnd + 5000) / 1000; while (a < b) { const m = (a + b) >> 1; if (T[m] <= t1) a = m + 1; else b = m; } k1 = a; }
    // dense (several points per pixel): one min-max bar per pixel column, joined to the previous
    // column's range (filled rectangles: a stroked zigzag rasterizes slowly on a software canvas)
    const dense = k1 - k0 > 1.5 * timelineW();
    ctx.strokeStyle = ctx.fillStyle = "#8e44ad"; ctx.lineWidth = 1.4; ctx.beginPath();
    let pen = false, col = null, cmin = 0, cmax = 0, py0 = null, py1 = null;
    const flush = () => {
      if (col === null) return;
      let y0 = Y(cmax), y1 = Y(cmin);
      if (dense) {
        if (pen && py0 !== null) { y0 = Math.min(y0, py1); y1 = Math.max(y1, py0); }
        ctx.fillRect(col, y0 - 0.7, 1, y1 - y0 + 1.4); py0 = Y(cmax); py1 = Y(cmin); pen = true;
      } else {
        if (pen) ctx.lineTo(col, y0); else { ctx.moveTo(col, y0); pen = true; }
        if (y1 !== y0) ctx.lineTo(col, y1);
      }
      col = null;
    };
    for (let k = k0; k < k1; k++) {
      const v = V[k];
      if (v == null) { flush(); pen = false; py0 = null; continue; }
      const x = Math.round(timeToX(T[k] * 1000));
      if (x === col) { if (v < cmin) cmin = v; if (v > cmax) cmax = v; continue; }
      flush(); col = x; cmin = cmax = v;
    }
    flush();
    ctx.stroke();
    return { lo, hi };
  }
  function drawWave(ctx, wave, y, W) {
    const mid = y + LANE_H / 2, half = LANE_H / 2 - 2, bs = wave.bucket_s * 1000, n = wave.max.length;
    let peak = 0;
    for (let k = 0; k < n; k++) peak = Math.max(peak, wave.max[k], -wave.min[k]);
    const g = peak > 0 ? half / peak : 0;
    ctx.fillStyle = "#3b6ea5";
    for (let x = LABEL_W; x < W; x++) {
      const a = Math.floor(xToTime(x) / bs), b = Math.max(a + 1, Math.floor(xToTime(x + 1) / bs));
      if (b <= 0 || a >= n) continue;
      let mn = 0, mx = 0;
      for (let k = Math.max(0, a); k < Math.min(n, b); k++) { if (wave.max[k] > mx) mx = wave.max[k]; if (wave.min[k] < mn) mn = wave.min[k]; }
      ctx.fillRect(x, mid - mx * g, 1, Math.max(1, (mx - mn) * g));
    }
    return { lo: -peak, hi: peak, name: "" };
  }

  // ------------------------------------------------------------------ timeline interaction
  function rowAt(y) {
    if (y < RULER_H) return { kind: "ruler" };
    const i = Math.floor((y - RULER_H) / ROW_H);
    if (i < S.doc.tiers.length) return { kind: "tier", i };
    const j = Math.floor((y - RULER_H - S.doc.tiers.length * ROW_H) / LANE_H);
    if (j < S.lanes.length) return { kind: "lane", j };
    return { kind: "none" };
  }
  function rowOf(rows, yIn, top, height) {
    if (rows <= 1 || yIn == null) return -1;
    return Math.max(0, Math.min(rows - 1, Math.floor((yIn - top) / (height / rows))));
  }
  function hitAnn(i, x, y) {
    const t = S.doc.tiers[i], ms = xToTime(x), pad = 4 * S.msPerPx;
    const anns = t.annotations, want = rowOf(t._rows || 1, y, tierTop(i) + 3, ROW_H - 6);
    let best = null;
    for (let k = firstVisible(anns, ms - pad, t._maxDur || 0); k < anns.length; k++) {
      const a = anns[k];
      if (a._t0 > ms + pad) break;
      if (want >= 0 && (a._row || 0) !== want) continue;
      if (a._t1 + pad >= ms) {
        if (!best || (S.sel && a.id === S.sel.id) || (a._t1 - a._t0) < (best._t1 - best._t0)) best = a;
      }
    }
    return best;
  }
  function hitSugg(j, x, y) {
    const ms = xToTime(x), pad = 3 * S.msPerPx, lane = S.lanes[j], segs = lane.segments || [];
    const want = rowOf(lane._rows || 1, y, laneTop(j) + 4, LANE_H - 8);
    for (let k = 0; k < segs.length; k++) {
      if (want >= 0 && (segs[k]._row || 0) !== want) continue;
      if (segs[k].start_ms - pad <= ms && segs[k].end_ms + pad >= ms) return k;
    }
    return -1;
  }
  function localXY(ev) { const r = canvas.getBoundingClientRect(); return [ev.clientX - r.left, ev.clientY - r.top]; }

  canvas.addEventListener("mousedown", (ev) => {
    if (!S.doc || ev.button !== 0) return;
    canvas.focus({ preventScroll: true });
    const [x, y] = localXY(ev);
    const row = rowAt(y);
    if (x < LABEL_W) { if (row.kind === "tier") { S.activeTier = row.i; rebuild(); render(); updateTierPanel(); } return; }
    if (row.kind === "ruler") { S.drag = { mode: "scrub" }; seekMs(xToTime(x)); return; }
    if (row.kind === "lane") {
      const k = hitSugg(row.j, x, y);
      S.selSugg = k >= 0 ? { lane: row.j, idx: k } : null; if (k >= 0) S.sel = null;
      updateInspector(); render(); return;
    }
    if (row.kind !== "tier") return;
    const tierSwitched = S.activeTier !== row.i;
    S.activeTier = row.i; S.selSugg = null;
    if (tierSwitched) updateTierPanel();
    const a = hitAnn(row.i, x, y);
    if (a && !a.ref) {
      const x0 = timeToX(a._t0), x1 = timeToX(a._t1);
      const mode = Math.abs(x - x0) <= 5 && x1 - x0 > 10 ? "start" : Math.abs(x - x1) <= 5 ? "end" : "move";
      S.sel = { tier: S.doc.tiers[row.i].id, id: a.id };
      S.drag = { mode, ann: a, x, t0: a.start_ms, t1: a.end_ms, snapshot: tiersSnapshot(), moved: false };
    } else if (a) {
      S.sel = { tier: S.doc.tiers[row.i].id, id: a.id }; S.drag = null;
      // on a symbolic subdivision tier a drag over a subdivision adds the next one (a click selects)
      if (tierType(S.doc.tiers[row.i]) === "Symbolic_Subdivision") {
        const t = snap(xToTime(x));
        S.drag = { mode: "create", tier: row.i, t0: t, t1: t, x, keepSel: true };
      }
    } else {
      const t = snap(xToTime(x));
      S.drag = { mode: "create", tier: row.i, t0: t, t1: t, x };
    }
    rebuild(); updateInspector(); render();
  });
  window.addEventListener("mousemove", (ev) => {
    if (!S.drag) return;
    const [x] = localXY(ev);
    const d = S.drag;
    if (d.mode === "scrub") { seekMs(xToTime(x)); return; }
    if (d.mode === "create") { d.t1 = snap(xToTime(x)); render(); return; }
    const dt = (x - d.x) * S.msPerPx;
    if (Math.abs(x - d.x) < 2 && !d.moved) return;
    d.moved = true;
    if (d.mode === "move") setTimes(d.ann, d.t0 + dt, d.t1 + dt, false);
    else if (d.mode === "start") setTimes(d.ann, Math.min(d.t0 + dt, d.t1 - 1000 / S.fps), d.t1, false);
    else if (d.mode === "end") setTimes(d.ann, d.t0, Math.max(d.t1 + dt, d.t0 + 1000 / S.fps), false);
    rebuild(); updateInspector(); render();
  });
  window.addEventListener("mouseup", (ev) => {
    const d = S.drag; S.drag = null;
    if (!d) return;
    if (d.mode === "create") {
      const [x] = localXY(ev);
      if (Math.abs(x - d.x) >= 3) {
        createAnnotation(d.tier, d.t0, d.t1, "");
        focusValue();
      } else { if (!d.keepSel) S.sel = null; seekMs(d.t0); updateInspector(); render(); }
    } else if (d.mode !== "scrub" && d.moved) {
      S.undo.push(d.snapshot); if (S.undo.length > 200) S.undo.shift(); S.redo = [];
      changed();
    }
  });
  canvas.addEventListener("dblclick", (ev) => {
    const [x, y] = localXY(ev);
    const row = rowAt(y);
    if (row.kind === "lane") { const k = hitSugg(row.j, x, y); if (k >= 0) { S.selSugg = { lane: row.j, idx: k }; acceptSuggestion(); } return; }
    if (row.kind === "tier" && hitAnn(row.i, x, y)) focusValue();
  });
  canvas.addEventListener("wheel", (ev) => {
    if (!S.doc) return;
    ev.preventDefault();
    const [x] = localXY(ev);
    if (ev.ctrlKey || ev.metaKey) zoom(ev.deltaY > 0 ? 1.25 : 0.8, xToTime(x));
    else { S.viewStart = Math.max(0, S.viewStart + (ev.deltaX || ev.deltaY) * S.msPerPx); render(); }
  }, { passive: false });

  function acceptSuggestion() {
    if (!S.selSugg) return;
    const lane = S.lanes[S.selSugg.lane], s = lane.segments[S.selSugg.idx];
    let ti = S.doc.tiers.findIndex((t) => t.id === lane.target_tier);
    if (ti < 0) ti = S.activeTier;
    const tier = S.doc.tiers[ti];
    const value = valueProblem(tier, s.value) ? "" : s.value;
    s._accepted = true;
    createAnnotation(ti, s.start_ms, s.end_ms, value, "suggestion:" + lane.id);
  }

  // ------------------------------------------------------------------ inspector
  function focusValue() { const inp = $("value-input"); if (!$("sel-form").hidden) { inp.focus(); inp.select(); } }
  function updateInspector() {
    const a = findAnn(S.sel);
    $("sel-form").hidden = !a; $("sel-none").hidden = !!a;
    const inp = $("value-input");
    if (a) {
      const tier = tierOf(S.sel);
      $("sel-tier").textContent = tier.id + " (" + tier.kind + ")";
      if (document.activeElement !== inp) { inp.value = a.value; inp.classList.remove("invalid", "offvocab"); $("value-hint").textContent = ""; }
      $("sel-time").textContent = a.ref ? "follows " + a.ref : fmtTime(a._t0) + " – " + fmtTime(a._t1) + " (frames " + msToFrame(a._t0) + "–" + msToFrame(a._t1) + ")";
      const voc = tier.vocabulary && S.doc.vocabularies ? S.doc.vocabularies[tier.vocabulary] || [] : [];
      const dl = $("vocab-list");
      if (dl._vocab !== tier.vocabulary) {
        dl.textContent = "";
        for (const v of voc.slice(0, 5000)) { const o = document.createElement("option"); o.value = v; dl.appendChild(o); }
        dl._vocab = tier.vocabulary;
      }
    }
    const sg = S.selSugg ? S.lanes[S.selSugg.lane].segments[S.selSugg.idx] : null;
    $("suggestion-box").hidden = !sg;
    if (sg) $("sugg-text").textContent = sg.value + " · " + fmtTime(sg.start_ms) + "–" + fmtTime(sg.end_ms) + " → " + S.lanes[S.selSugg.lane].target_tier;
    $("inout").textContent = "in " + fmtTime(S.inMs) + "  out " + fmtTime(S.outMs);
    $("active-tier").textContent = S.doc.tiers.length ? S.doc.tiers[S.activeTier].id : "–";
  }
  $("value-input").addEventListener("input", () => {
    const inp = $("value-input"), a = findAnn(S.sel);
    if (!a) return;
    const tier = tierOf(S.sel), v = inp.value.trim();
    const problem = valueProblem(tier, v);
    const voc = tier.vocabulary && S.doc.vocabularies ? S.doc.vocabularies[tier.vocabulary] || [] : [];
    inp.classList.toggle("invalid", !!problem);
    inp.classList.toggle("offvocab", !problem && voc.length > 0 && v !== "" && voc.indexOf(v) < 0);
    $("value-hint").textContent = problem || (inp.classList.contains("offvocab") ? "not in the " + tier.vocabulary + " vocabulary" : "");
  });
  $("value-input").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); if (commitValue()) { $("value-input").blur(); canvas.focus({ preventScroll: true }); } }
    else if (ev.key === "Escape") { ev.preventDefault(); updateInspectorForce(); canvas.focus({ preventScroll: true }); }
    ev.stopPropagation();
  });
  $("value-input").addEventListener("change", () => commitValue());
  function updateInspectorForce() { const inp = $("value-input"); inp.blur(); const a = findAnn(S.sel); if (a) inp.value = a.value; updateInspector(); }
  $("sel-form").addEventListener("submit", (ev) => ev.preventDefault());
  $("delete-btn").addEventListener("click", deleteSelected);
  $("set-start-btn").addEventListener("click", () => setEdge("start"));
  $("set-end-btn").addEventListener("click", () => setEdge("end"));
  function setEdge(which) {
    const a = findAnn(S.sel); if (!a || a.ref) return;
    const t = curMs();
    if (which === "start") setTimes(a, t, Math.max(a.end_ms, t + 1000 / S.fps), true);
    else setTimes(a, Math.min(a.start_ms, t - 1000 / S.fps), t, true);
    changed();
  }
  function nudge(frames) {
    const a = findAnn(S.sel); if (!a || a.ref) return;
    const d = frames * 1000 / S.fps; setTimes(a, a.start_ms + d, a.end_ms + d, true); changed();
  }
  function selectNext(dir) {
    const t = S.doc.tiers[S.activeTier]; if (!t || !t.annotations.length) return;
    let idx = S.sel && S.sel.tier === t.id ? t.annotations.findIndex((a) => a.id === S.sel.id) : -1;
    idx = idx < 0 ? (dir > 0 ? 0 : t.annotations.length - 1) : (idx + dir + t.annotations.length) % t.annotations.length;
    const a = t.annotations[idx]; S.sel = { tier: t.id, id: a.id }; seekMs(a._t0); updateInspector(); render();
  }

  $("play-btn").addEventListener("click", togglePlay);
  $("prev-btn").addEventListener("click", (ev) => step(ev.shiftKey ? -10 : -1));
  $("next-btn").addEventListener("click", (ev) => step(ev.shiftKey ? 10 : 1));
  $("speed").addEventListener("change", () => { video.playbackRate = +$("speed").value; });
  $("show-overlay").addEventListener("change", drawOverlay);
  $("in-btn").addEventListener("click", markIn);
  $("out-btn").addEventListener("click", markOut);
  $("create-btn").addEventListener("click", createFromMarks);
  $("undo-btn").addEventListener("click", undo);
  $("redo-btn").addEventListener("click", redo);
  $("save-btn").addEventListener("click", save);
  $("merge-btn").addEventListener("click", mergeConflict);
  $("theirs-btn").addEventListener("click", takeTheirs);
  $("accept-btn").addEventListener("click", acceptSuggestion);
  $("zoom-in").addEventListener("click", () => zoom(0.5));
  $("zoom-out").addEventListener("click", () => zoom(2));
  $("zoom-fit").addEventListener("click", zoomFit);
  $("curve-select").addEventListener("change", () => {
    S.curve = $("curve-select").value;
    const k = S.curve.indexOf("/");
    if (k > 0) S.curveFor[S.curve.slice(0, k)] = S.curve.slice(k + 1);
    render();
  });
  $("retry-btn").addEventListener("click", () => { S.lastSaved = null; save(); });
  function setMuted(m) {
    video.muted = m;
    $("mute-btn").textContent = m ? "Sound off" : "Sound on";
    $("mute-btn").setAttribute("aria-pressed", m ? "true" : "false");
  }
  $("mute-btn").addEventListener("click", () => setMuted(!video.muted));
  $("volume").addEventListener("input", () => { video.volume = +$("volume").value; if (video.muted && video.volume > 0) setMuted(false); });
  for (const id of ["show-body", "show-hands", "show-face", "overlay-opacity"]) $(id).addEventListener("input", drawOverlay);
  $("doc-status").addEventListener("change", () => { S.doc.status = $("doc-status").value; scheduleSave(); });
  $("import-eaf").addEventListener("change", async () => {
    const f = $("import-eaf").files[0]; if (!f) return;
    const text = await f.text();
    const r = await fetch("/api/import.eaf?" + q(S.path) + "&base_revision=" + S.doc.revision,
      { method: "POST", headers: { "Content-Type": "application/xml", "X-Signfuse": "1" }, body: text });
    $("import-eaf").value = "";
    if (r.ok) openVideo(S.path); else setStatus("import failed: " + (await r.text()), "error");
  });
  function markIn() { S.inMs = curMs(); updateInspector(); render(); }
  function markOut() { S.outMs = curMs(); updateInspector(); render(); }
  function createFromMarks() {
    if (S.inMs == null || S.outMs == null) { setStatus("mark in (i) and out (o) first", "pending"); return; }
    let a = S.inMs, b = S.outMs; if (b < a) [a, b] = [b, a];
    if (b === a) b = frameToMs(msToFrame(a) + 1);
    createAnnotation(S.activeTier, a, b, "");
    S.inMs = S.outMs = null; updateInspector(); focusValue();
  }

  // ------------------------------------------------------------------ keyboard
  document.addEventListener("keydown", (ev) => {
    if ($("editor-view").hidden || !S.doc) return;
    const tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    const k = ev.key, ctrl = ev.ctrlKey || ev.metaKey;
    let handled = true;
    if (ctrl && (k === "z" || k === "Z")) { if (ev.shiftKey) redo(); else undo(); }
    else if (ctrl && (k === "y" || k === "Y")) redo();
    else if (ctrl && (k === "s" || k === "S")) save();
    else if (ctrl) handled = false;
    else if (k === " ") togglePlay();
    else if (k === "ArrowLeft" && ev.altKey) nudge(ev.shiftKey ? -10 : -1);
    else if (k === "ArrowRight" && ev.altKey) nudge(ev.shiftKey ? 10 : 1);
    else if (k === "ArrowLeft") step(ev.shiftKey ? -10 : -1);
    else if (k === "ArrowRight") step(ev.shiftKey ? 10 : 1);
    else if (k === "ArrowUp") { S.activeTier = Math.max(0, S.activeTier - 1); updateInspector(); updateTierPanel(); render(); }
    else if (k === "ArrowDown") { S.activeTier = Math.min(S.doc.tiers.length - 1, S.activeTier + 1); updateInspector(); updateTierPanel(); render(); }
    else if (k >= "1" && k <= "9" && +k <= S.doc.tiers.length) { S.activeTier = +k - 1; updateInspector(); updateTierPanel(); render(); }
    else if (k === "i" || k === "I") markIn();
    else if (k === "o" || k === "O") markOut();
    else if (k === "Enter") { if (S.inMs != null && S.outMs != null) createFromMarks(); else if (S.sel) focusValue(); else handled = false; }
    else if (k === "Delete" || k === "Backspace") deleteSelected();
    else if (k === "[") setEdge("start");
    else if (k === "]") setEdge("end");
    else if (k === "a" || k === "A") acceptSuggestion();
    else if (k === "m" || k === "M") setMuted(!video.muted);
    else if (k === "Tab") selectNext(ev.shiftKey ? -1 : 1);
    else if (k === "+" || k === "=") zoom(0.5);
    else if (k === "-") zoom(2);
    else if (k === "Escape") { S.sel = null; S.selSugg = null; S.inMs = S.outMs = null; updateInspector(); render(); }
    else handled = false;
    if (handled) ev.preventDefault();
  });
  window.addEventListener("resize", () => { resizeOverlay(); resizeTimeline(); drawOverlay(); render(); });
  window.addEventListener("beforeunload", (ev) => {
    if (S.doc && !S.conflict && JSON.stringify(docForSave()) !== S.lastSaved) { save(); ev.preventDefault(); ev.returnValue = ""; }
  });

  // ------------------------------------------------------------------ hooks for tests and benchmarks
  window.signfuse = {
    state: S, render, renderTimeline, rebuild, save, undo, redo,
    timeToX, tierTop, laneTop, ROW_H, LANE_H, LABEL_W, updateTierPanel, drawOverlay,
    curFrame, seekFrame,
    // time `n` renders (forcing rasterization with getImageData) and return the durations in ms
    benchRender(n) {
      const out = [];
      const ctx = canvas.getContext("2d");
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        renderTimeline(); ctx.getImageData(0, 0, 1, 1);
        out.push(performance.now() - t0);
      }
      return out;
    },
  };
  route();
})();
