// The spoken-practice recorder (issue 29), an anywidget: microphone → MediaRecorder (Opus) with a level meter, a
// countdown before and a time limit during the take, playback before sending, retry, and an upload in acknowledged
// chunks — a take whose upload breaks off stays in the page to send again (under the same id, so a kernel that was
// only slow stores it once). The kernel (recorder.py) measures and
// keeps it. Texts come translated from the kernel (model "texts"); the state is mirrored to "state" for tests.

const CHUNK = 192 * 1024;
// How long a chunk may wait for the kernel's acknowledgement before the upload counts as broken off (20 s). A page
// may set a shorter wait before the widget loads (window.telesalesUploadWaitMs): the stalled-upload browser test
// does, so that it does not sit out 20 s.
const ACK_TIMEOUT_MS = Number(globalThis.telesalesUploadWaitMs) > 0 ? Number(globalThis.telesalesUploadWaitMs) : 20000;
const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];

function button(label, css) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `ts-rec-button ${css}`;
  b.textContent = label;
  return b;
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function render({ model, el }) {
  const t = (key) => (model.get("texts") || {})[key] || key;
  const box = document.createElement("div");
  box.className = "ts-recorder";
  const notice = document.createElement("div");
  notice.className = "ts-rec-notice";
  const noticeText = document.createElement("p");
  const accept = button("", "ts-rec-accept");
  notice.append(noticeText, accept);
  const controls = document.createElement("div");
  controls.className = "ts-rec-controls";
  const start = button("", "ts-rec-start mod-primary");
  const stop = button("", "ts-rec-stop");
  const retry = button("", "ts-rec-retry");
  const send = button("", "ts-rec-send mod-primary");
  controls.append(start, stop, retry, send);
  const count = document.createElement("div");
  count.className = "ts-rec-countdown";
  count.setAttribute("aria-live", "assertive");
  const meter = document.createElement("div");
  meter.className = "ts-rec-meter";
  meter.setAttribute("role", "meter");
  meter.setAttribute("aria-valuemin", "0");
  meter.setAttribute("aria-valuemax", "100");
  const level = document.createElement("div");
  level.className = "ts-rec-level";
  meter.append(level);
  const timer = document.createElement("div");
  timer.className = "ts-rec-timer";
  const player = document.createElement("audio");
  player.controls = true;
  player.className = "ts-rec-player";
  const status = document.createElement("p");
  status.className = "ts-rec-status";
  status.setAttribute("role", "status");
  const problem = document.createElement("p");
  problem.className = "ts-rec-problem";
  problem.setAttribute("role", "alert");
  box.append(notice, controls, count, meter, timer, player, status, problem);
  el.append(box);

  let state = "idle";
  let stream = null;
  let recorder = null;
  let chunks = [];
  let take = null; // the recorded Blob
  let mime = "";
  let started = 0;
  let ticking = null;
  let audioContext = null;
  let analyser = null;
  let waiting = null; // {upload, seq, resolve, reject, timer}
  let upload = 0;
  let takeId = ""; // one id per take, kept when the take is sent again: the kernel stores a take once
  let cancelled = false;

  const show = (node, on) => { node.style.display = on ? "" : "none"; };
  const setState = (next) => {
    state = next;
    model.set("state", next);
    model.save_changes();
    draw();
  };
  const say = (text) => { status.textContent = text || ""; };
  const fail = (text) => { problem.textContent = text || ""; };

  function draw() {
    const limit = model.get("limit") || 60;
    noticeText.textContent = t("notice");
    accept.textContent = t("accept");
    start.textContent = t("start");
    stop.textContent = t("stop");
    retry.textContent = t("retry");
    send.textContent = t("send");
    meter.setAttribute("aria-label", t("level"));
    const needsNotice = Boolean(model.get("notice_needed"));
    show(notice, needsNotice && state === "idle");
    show(start, !needsNotice && (state === "idle" || state === "sent"));
    show(stop, state === "countdown" || state === "recording");
    show(retry, state === "recorded" || state === "failed");
    show(send, state === "recorded" || state === "failed");
    show(meter, state === "recording");
    show(timer, state === "recording");
    show(count, state === "countdown");
    show(player, Boolean(take) && state !== "recording" && state !== "countdown");
    timer.textContent = `${clock((performance.now() - started) / 1000)} / ${clock(limit)}`;
    send.disabled = state === "sending";
  }

  function stopStream() {
    if (ticking) { clearInterval(ticking); ticking = null; }
    if (stream) { stream.getTracks().forEach((track) => track.stop()); stream = null; }
    if (audioContext) { audioContext.close().catch(() => {}); audioContext = null; analyser = null; }
  }

  function meterLoop() {
    if (!analyser || state !== "recording") return;
    const data = new Uint8Array(analyser.fftSize);
    analyser.getByteTimeDomainData(data);
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
    const percent = Math.min(100, Math.round((peak / 128) * 140));
    level.style.width = `${percent}%`;
    level.classList.toggle("ts-rec-loud", percent >= 98);
    meter.setAttribute("aria-valuenow", String(percent));
    requestAnimationFrame(meterLoop);
  }

  async function begin() {
    fail("");
    say("");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof MediaRecorder === "undefined") {
      fail(t("unsupported"));
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: false } });
    } catch (error) {
      const name = error && error.name;
      fail(name === "NotAllowedError" || name === "SecurityError" ? t("denied") : name === "NotFoundError" || name === "OverconstrainedError" ? t("no_mic") : t("mic_failed"));
      stopStream();
      setState("idle");
      return;
    }
    cancelled = false;
    setState("countdown");
    for (let n = 3; n > 0; n--) {
      count.textContent = String(n);
      await new Promise((resolve) => setTimeout(resolve, 700));
      if (cancelled) return;
    }
    record();
  }

  function record() {
    mime = TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
    try {
      recorder = new MediaRecorder(stream, mime ? { mimeType: mime, audioBitsPerSecond: 24000 } : { audioBitsPerSecond: 24000 });
    } catch (error) {
      fail(t("mic_failed"));
      stopStream();
      setState("idle");
      return;
    }
    mime = recorder.mimeType || mime || "audio/webm";
    chunks = [];
    recorder.ondataavailable = (event) => { if (event.data && event.data.size) chunks.push(event.data); };
    recorder.onstop = () => {
      stopStream();
      if (cancelled) { setState("idle"); return; }
      take = new Blob(chunks, { type: mime });
      upload += 1;
      takeId = `${Date.now()}-${upload}`;
      player.src = URL.createObjectURL(take);
      say(t("recorded"));
      setState("recorded");
    };
    audioContext = new (window.AudioContext || window.webkitAudioContext)();
    analyser = audioContext.createAnalyser();
    analyser.fftSize = 1024;
    audioContext.createMediaStreamSource(stream).connect(analyser);
    recorder.start(1000);
    started = performance.now();
    setState("recording");
    const limit = model.get("limit") || 60;
    ticking = setInterval(() => {
      draw();
      if ((performance.now() - started) / 1000 >= limit && recorder && recorder.state === "recording") {
        say(t("limit_reached"));
        recorder.stop();
      }
    }, 250);
    requestAnimationFrame(meterLoop);
  }

  function finish() {
    if (state === "countdown") {
      cancelled = true;
      stopStream();
      setState("idle");
      return;
    }
    if (recorder && recorder.state === "recording") recorder.stop();
  }

  function acknowledged(id, seq) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { waiting = null; reject(new Error("timeout")); }, ACK_TIMEOUT_MS);
      waiting = { upload: id, seq, resolve, reject, timer };
    });
  }

  async function sendTake() {
    if (!take) return;
    fail("");
    setState("sending");
    const bytes = await take.arrayBuffer();
    const parts = Math.max(1, Math.ceil(bytes.byteLength / CHUNK));
    const id = takeId;
    try {
      for (let seq = 0; seq < parts; seq++) {
        say(t("sending").replace("{percent}", String(Math.round((100 * seq) / parts))));
        const piece = bytes.slice(seq * CHUNK, Math.min(bytes.byteLength, (seq + 1) * CHUNK));
        const done = acknowledged(id, seq);
        model.send({ kind: "chunk", upload: id, seq, count: parts, mime }, undefined, [piece]);
        await done;
      }
    } catch (error) {
      say(""); // not "sending… 0 %" beside the failure
      fail(t("upload_failed"));
      setState("failed");
      return;
    }
    say(t("analysing"));
  }

  model.on("msg:custom", (message) => {
    if (!message) return;
    if (message.kind === "ack" && waiting && waiting.upload === message.upload && waiting.seq === message.seq) {
      clearTimeout(waiting.timer);
      const { resolve } = waiting;
      waiting = null;
      resolve();
    } else if (message.kind === "stored") {
      fail(""); // a slow upload that the page had given up on may arrive after all
      say(message.text || t("stored"));
      setState("sent");
    } else if (message.kind === "refused") {
      fail(message.text || t("upload_failed"));
      setState("recorded");
    }
  });
  model.on("change:texts", draw);
  model.on("change:notice_needed", draw);
  model.on("change:limit", draw);

  accept.addEventListener("click", () => {
    model.set("notice_needed", false);
    model.save_changes();
    model.send({ kind: "notice_accepted" });
    draw();
  });
  start.addEventListener("click", begin);
  stop.addEventListener("click", finish);
  retry.addEventListener("click", () => { take = null; player.removeAttribute("src"); begin(); });
  send.addEventListener("click", sendTake);
  draw();
  return () => { cancelled = true; stopStream(); };
}

export default { render };
