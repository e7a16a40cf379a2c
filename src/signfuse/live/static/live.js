// signfuse live: camera -> MediaPipe Holistic in the page (or JPEG frames to the server) -> WebSocket
// -> captions. No framework, no inline script (the server's Content-Security-Policy forbids it).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const VENDOR = "/static/vendor/holistic/";
  const MAX_CAPTIONS_SHOWN = 500, MAX_KEPT = 20000, JPEG_SIDE = Number(params.get("jpeg_side") || 320);
  const HAND = [[0,1],[1,2],[2,3],[3,4],[0,5],[5,6],[6,7],[7,8],[5,9],[9,10],[10,11],[11,12],[9,13],[13,14],
                [14,15],[15,16],[13,17],[17,18],[18,19],[19,20],[0,17]];
  const POSE = [[11,12],[11,13],[13,15],[12,14],[14,16],[11,23],[12,24],[23,24],[15,17],[15,19],[15,21],
                [16,18],[16,20],[16,22],[0,1],[1,2],[2,3],[3,7],[0,4],[4,5],[5,6],[6,8],[9,10]];

  // everything a test or a curious user may read: window.signfuse.state
  const state = { config: null, mode: null, running: false, ws: null, stream: null, holistic: null,
    frameId: 0, t0: 0, lastT: -1, captureTimes: new Map(), landmarkTimes: new Map(), captions: [], sent: [], keepSent: params.has("keep"),
    latencies: [], fpsTimes: [], landmarkMs: [], waiting: null, error: null, ready: false, wasmError: null, pending: null };
  window.signfuse = { state };

  const video = $("video"), canvas = $("overlay"), ctx = canvas.getContext("2d");
  const status = (text) => { $("status").textContent = text; };

  async function loadConfig() {
    const r = await fetch("/api/config");
    state.config = await r.json();
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = () => reject(new Error("could not load " + src));
      document.head.appendChild(s);
    });
  }

  async function startHolistic() {
    if (!window.Holistic) await loadScript(VENDOR + "holistic.js");
    const h = new window.Holistic({ locateFile: (f) => VENDOR + f });
    // CPU inference unless ?gpu=1: MediaPipe's WebGL inference is far slower on software GL
    h.setOptions({ modelComplexity: 1, smoothLandmarks: true, enableSegmentation: false,
                   refineFaceLandmarks: false, minDetectionConfidence: 0.5, minTrackingConfidence: 0.5,
                   useCpuInference: params.get("gpu") !== "1" });
    h.onResults((r) => { state.pending = r; });
    await h.initialize();
    return h;
  }

  const flat = (lms, vis) => {
    if (!lms || !lms.length) return null;
    const out = new Array(lms.length * (vis ? 4 : 3));
    let k = 0;
    for (const p of lms) {
      out[k++] = +p.x.toFixed(6); out[k++] = +p.y.toFixed(6); out[k++] = +p.z.toFixed(6);
      if (vis) out[k++] = +(p.visibility === undefined ? 1 : p.visibility).toFixed(6);
    }
    return out;
  };

  function openSocket() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
      ws.onopen = () => ws.send(JSON.stringify({ type: "hello", mode: state.mode === "server" ? "jpeg" : "landmarks" }));
      ws.onmessage = (ev) => {
        const m = JSON.parse(ev.data);
        if (m.type === "ready") { state.ready = true; resolve(ws); }
        else if (m.type === "caption") onCaption(m);
        else if (m.type === "ack") onAck(m);
        else if (m.type === "landmarks") onServerLandmarks(m);
      };
      ws.onclose = (ev) => {
        if (!state.ready) reject(new Error("server closed the connection: " + (ev.reason || ev.code)));
        if (state.running) { state.error = "connection closed: " + (ev.reason || ev.code); status(state.error); stop(); }
        state.closeReason = ev.reason; state.closeCode = ev.code;
      };
      ws.onerror = () => { if (!state.ready) reject(new Error("could not open the WebSocket")); };
    });
  }

  function nextFrame() {
    return new Promise((resolve) => {
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => resolve());
      else requestAnimationFrame(() => resolve());
    });
  }

  function stamp() {
    // capture time, seconds from the first frame; strictly increasing
    const now = performance.now();
    let t = (now - state.t0) / 1000;
    if (t <= state.lastT) t = state.lastT + 1e-4;
    state.lastT = t;
    return { now, t: +t.toFixed(4) };
  }

  function tickFps() {
    const now = performance.now();
    state.fpsTimes.push(now);
    while (state.fpsTimes.length && now - state.fpsTimes[0] > 2000) state.fpsTimes.shift();
    const n = state.fpsTimes.length;
    const fps = n > 1 ? (n - 1) / ((state.fpsTimes[n - 1] - state.fpsTimes[0]) / 1000) : 0;
    $("fps").textContent = fps.toFixed(1);
  }

  async function wasmLoop() {
    const w = video.videoWidth, h = video.videoHeight;
    while (state.running) {
      await nextFrame();
      if (!state.running) break;
      const { now, t } = stamp();
      state.pending = null;
      await state.holistic.send({ image: video });
      const lmMs = +(performance.now() - now).toFixed(1);
      if (state.landmarkMs.length < MAX_KEPT) state.landmarkMs.push(lmMs);
      const r = state.pending;
      if (!state.running || !r) continue;
      const id = state.frameId++;
      state.landmarkTimes.set(id, lmMs);
      const msg = { type: "frame", id, t, w, h, pose: flat(r.poseLandmarks, true), face: flat(r.faceLandmarks, false),
                    left: flat(r.leftHandLandmarks, false), right: flat(r.rightHandLandmarks, false),
                    world: flat(r.za, true) };
      draw(msg);
      state.captureTimes.set(id, now);
      if (state.keepSent && state.sent.length < MAX_KEPT) state.sent.push(msg);
      if (state.ws && state.ws.readyState === 1) {
        // Holistic's WASM runs on this thread: while it works on the next frame, a caption that arrives
        // waits in the queue. So let the server answer this frame (ack, and the caption when one is due;
        // a few ms) before the next Holistic call.
        const answered = new Promise((res) => { state.waiting = { id, res }; });
        state.ws.send(JSON.stringify(msg));
        await Promise.race([answered, new Promise((res) => setTimeout(res, 1000))]);
        state.waiting = null;
      }
      tickFps();
      trimCaptureTimes();
    }
  }

  async function serverLoop() {
    const w = video.videoWidth, h = video.videoHeight;
    const s = Math.min(1, JPEG_SIDE / Math.max(w, h));
    const c = document.createElement("canvas");
    c.width = Math.round(w * s); c.height = Math.round(h * s);
    const cx = c.getContext("2d");
    while (state.running) {
      await nextFrame();
      if (!state.running) break;
      const { now, t } = stamp();
      cx.drawImage(video, 0, 0, c.width, c.height);
      const blob = await new Promise((res) => c.toBlob(res, "image/jpeg", 0.85));
      const jpeg = new Uint8Array(await blob.arrayBuffer());
      const id = state.frameId++;
      const buf = new ArrayBuffer(16 + jpeg.length);
      const dv = new DataView(buf);
      dv.setFloat64(0, t, true); dv.setUint32(8, id, true); dv.setUint16(12, w, true); dv.setUint16(14, h, true);
      new Uint8Array(buf, 16).set(jpeg);
      state.captureTimes.set(id, now);
      if (state.keepSent && state.sent.length < MAX_KEPT) state.sent.push({ id, t, bytes: jpeg.length });
      if (!state.ws || state.ws.readyState !== 1) break;
      const answered = new Promise((res) => { state.onLandmarks = res; });
      state.ws.send(buf);
      // one frame in flight: the server's landmark extraction sets the pace
      await Promise.race([answered, new Promise((res) => setTimeout(res, 3000))]);
      const lmMs = +(performance.now() - now).toFixed(1);
      if (state.landmarkMs.length < MAX_KEPT) state.landmarkMs.push(lmMs);
      state.landmarkTimes.set(id, lmMs);
      trimCaptureTimes();
    }
  }

  function onAck(m) {
    // the server sends a frame's caption (when due) before its ack, so it is shown by now
    if (state.waiting && state.waiting.id === m.id) state.waiting.res();
  }

  function onServerLandmarks(m) {
    draw(m);
    tickFps();
    if (state.onLandmarks) { const f = state.onLandmarks; state.onLandmarks = null; f(); }
  }

  function trimCaptureTimes() {
    if (state.captureTimes.size > 2000) {
      const keys = [...state.captureTimes.keys()].slice(0, 1000);
      for (const k of keys) { state.captureTimes.delete(k); state.landmarkTimes.delete(k); }
    }
  }

  function draw(m) {
    const W = canvas.width = video.videoWidth || 640, H = canvas.height = video.videoHeight || 480;
    ctx.clearRect(0, 0, W, H);
    const pts = (a, dims) => { const o = []; for (let i = 0; i + 1 < a.length; i += dims) o.push([a[i] * W, a[i + 1] * H]); return o; };
    const dims = (key) => (m.type === "landmarks" ? 2 : (key === "pose" ? 4 : 3));
    const lines = (p, edges, color, width) => {
      ctx.strokeStyle = color; ctx.lineWidth = width; ctx.beginPath();
      for (const [a, b] of edges) if (p[a] && p[b]) { ctx.moveTo(p[a][0], p[a][1]); ctx.lineTo(p[b][0], p[b][1]); }
      ctx.stroke();
    };
    if (m.face) { ctx.fillStyle = "rgba(200,200,200,0.5)"; for (const [x, y] of pts(m.face, dims("face"))) ctx.fillRect(x, y, 1.5, 1.5); }
    if (m.pose) lines(pts(m.pose, dims("pose")), POSE, "#7f7", 3);
    if (m.left) lines(pts(m.left, dims("left")), HAND, "#f84", 2);
    if (m.right) lines(pts(m.right, dims("right")), HAND, "#4cf", 2);
  }

  function onCaption(m) {
    const cap = state.captureTimes.get(m.frame_id);
    const e2e = cap === undefined ? null : performance.now() - cap;
    m.e2e_ms = e2e === null ? null : +e2e.toFixed(1);
    if (state.captions.length < MAX_KEPT) state.captions.push(m);
    if (e2e !== null) {
      // landmark_ms: that frame's landmark time (in-page Holistic; with server landmarks, the server's)
      state.latencies.push({ e2e_ms: m.e2e_ms, model_ms: m.model_ms, server_ms: m.server_ms,
                             landmark_ms: m.landmark_ms ?? state.landmarkTimes.get(m.frame_id) ?? null });
      $("latency").textContent = `${Math.round(e2e)} ms (model ${Math.round(m.model_ms)} ms)`;
    }
    const el = document.createElement("div");
    el.className = "caption" + (m.sure ? "" : " unsure");
    el.dataset.glosses = m.glosses.join(" ");
    el.dataset.seq = m.seq; el.dataset.frameId = m.frame_id; el.dataset.start = m.start; el.dataset.end = m.end;
    el.dataset.sure = m.sure ? "true" : "false";
    if (m.text !== undefined) el.dataset.text = m.text;
    const g = document.createElement("span"); g.className = "glosses";
    const p = document.createElement("span"); p.className = "prob";
    if (m.top) {   // isolated: top sign and its probability
      const pct = Math.round(100 * m.probability);
      g.textContent = m.sure ? m.glosses[0] : `not sure (${m.glosses[0]}?)`;
      p.textContent = `${pct}%`;
    } else {
      g.textContent = m.glosses.length ? m.glosses.join(" ") : "…";
      el.dataset.sentence = m.sentence.join(" ");
    }
    const w = document.createElement("span"); w.className = "when"; w.textContent = `${m.end.toFixed(1)} s`;
    if (m.text) { const t = document.createElement("span"); t.className = "text"; t.textContent = m.text; el.appendChild(t); }
    el.append(g, p, w);
    const box = $("captions");
    box.appendChild(el);
    while (box.children.length > MAX_CAPTIONS_SHOWN) box.removeChild(box.firstChild);
    box.scrollTop = box.scrollHeight;
    updateSentence(m);
  }

  function updateSentence(m) {
    const s = $("sentence");
    const words = m.sentence ? m.sentence : (m.sure ? m.glosses : null);
    if (words === null) return;
    s.dataset.glosses = words.join(" ");
    s.replaceChildren();
    if (m.text) { const t = document.createElement("span"); t.className = "text"; t.textContent = m.text; s.appendChild(t); s.dataset.text = m.text; }
    const g = document.createElement("span"); g.className = "glosses"; g.textContent = words.join(" "); s.appendChild(g);
  }

  async function start() {
    const btn = $("start");
    btn.disabled = true;
    state.error = null; state.ready = false;
    try {
      if (!state.config) await loadConfig();
      const cfg = state.config;
      let mode = params.get("mode") || (cfg.server_landmarks ? "server" : "wasm");
      status("opening the camera…");
      state.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
      video.srcObject = state.stream;
      await video.play();
      if (mode === "wasm") {
        status("starting MediaPipe Holistic in the page…");
        try { if (!state.holistic) state.holistic = await startHolistic(); }
        catch (e) {
          state.wasmError = String(e && e.message || e);
          if (!cfg.server_landmarks) throw new Error("MediaPipe Holistic could not start in this browser (" + state.wasmError + "); restart the server with --server-landmarks");
          mode = "server";
        }
      }
      state.mode = mode;
      $("mode").textContent = mode === "wasm" ? "in-page landmarks" : "server landmarks";
      $("privacy").textContent = mode === "wasm"
        ? "The video stays in this browser: only landmark points are sent to the server."
        : "Server-landmarks mode: downscaled JPEG frames of the video are sent to the signfuse server.";
      state.ws = await openSocket();
      state.running = true;
      state.t0 = performance.now(); state.lastT = -1;
      btn.textContent = "Stop"; btn.classList.add("running");
      status(`captioning (${cfg.task} model)`);
      (mode === "wasm" ? wasmLoop() : serverLoop()).catch((e) => { state.error = String(e); status(state.error); stop(); });
    } catch (e) {
      state.error = String(e && e.message || e);
      status(state.error);
      if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
    } finally { btn.disabled = false; }
  }

  function stop() {
    state.running = false;
    const btn = $("start");
    btn.textContent = "Start"; btn.classList.remove("running");
    if (state.ws && state.ws.readyState === 1) { state.ws.send(JSON.stringify({ type: "stop" })); }
    state.ws = null;
    if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
    state.stream = null;
    if (!state.error) status("stopped");
  }

  async function download(format) {
    const body = JSON.stringify({ captions: state.captions.map(({ e2e_ms, ...c }) => c) });
    const r = await fetch(`/api/transcript?format=${format}`, { method: "POST", body,
      headers: { "Content-Type": "application/json", "X-Signfuse": "1" } });
    if (!r.ok) { status(`transcript failed: ${r.status}`); return; }
    const name = (/filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "") || [])[1] || `transcript.${format}`;
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement("a");
    a.href = url; a.download = name; document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  $("start").addEventListener("click", () => (state.running ? stop() : start()));
  for (const b of document.querySelectorAll("button.dl")) b.addEventListener("click", () => download(b.dataset.format));
  loadConfig().then(() => { $("mode").textContent = state.config.server_landmarks ? "server landmarks" : "in-page landmarks"; })
    .catch((e) => status("cannot reach the server: " + e));
})();
