// Real-browser test of nbui.ReviewWidget: starts Jupyter Notebook on a fixed
// port, opens a notebook in Debian's chromium (driven by playwright-core), runs
// all cells, then types each review of the case file into the widget, clicks
// Predict and checks the label and that highlighted words appear; also checks
// the empty-input hint, the truncation notice for a 1 MB paste and that
// repeated clicks each get an answer. Screenshots go to build/screenshots/.
//
//   node scripts/browser/widget-test.mjs CASE.json [--headless-check]
//
// CASE.json: {"notebook": "path from the repo root", "name": "screenshot prefix",
//             "reviews": [{"text": "...", "label": "positive"}, ...],
//             "timeoutSeconds": 240, "port": 18931,   (WIDGET_TEST_PORT overrides the port)
//             "needs": [{"path": "build/model/config.json", "about": "…",
//                        "make": ["go", "run", …], "makeSeconds": 900}]}
// A missing "needs" path (what an earlier notebook writes) is made first with
// its command, outside the deadline; if that fails, the test fails at once.
// --headless-check also executes the notebook with nbconvert WITHOUT
// POLARITY_HEADLESS and checks that the widget cell falls back to its example
// prediction (the bounded front-end probe) instead of hanging.
//
// Missing chromium (POLARITY_CHROMIUM overrides /usr/bin/chromium), Jupyter,
// the gonb kernel or playwright-core: skip (exit 0) with a message, or fail
// when CI is set. Everything runs under one deadline,
// and the Jupyter server, its kernels, their cell programs and the browser are
// always stopped, on failure too.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = process.env.POLARITY_CHROMIUM || "/usr/bin/chromium"; // override for a chromium elsewhere
const JUPYTER_NOTEBOOK = "/usr/bin/jupyter-notebook";
const JUPYTER = "/usr/bin/jupyter";
const ONE_MB = 1 << 20;
// STEP_MS bounds each step (server start, page load, one answer) so that a
// failure names the step; it is generous because the shared 2-core machines
// ran at load ~24, where starting Jupyter or loading the page took over 30 s.
// The case's timeoutSeconds bounds the whole run.
const STEP_MS = 120000;

const started = Date.now();
const log = (...args) => console.log(`[widget-test +${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args);

function inCI() {
  const ci = (process.env.CI || "").toLowerCase();
  return ci !== "" && ci !== "0" && ci !== "false";
}

// skipOrFail ends the run when a prerequisite is missing.
function skipOrFail(what) {
  const fix = "run `make setup` (installs Debian chromium and playwright-core into scripts/browser/node_modules)";
  if (inCI()) {
    console.error(`widget-test: FAIL: ${what}; CI is set, so the browser test may not be skipped: ${fix}`);
    process.exit(1);
  }
  console.log(`widget-test: SKIP: ${what}; ${fix} to run it`);
  process.exit(0);
}

function goBin() {
  const r = spawnSync("go", ["env", "GOPATH"], { encoding: "utf8" });
  return r.status === 0 ? path.join(r.stdout.trim(), "bin") : "";
}

// kernelInstalled looks for the gonb kernel spec where Jupyter looks for it.
function kernelInstalled() {
  const dirs = [process.env.JUPYTER_DATA_DIR, path.join(os.homedir(), ".local/share/jupyter"), "/usr/local/share/jupyter", "/usr/share/jupyter"];
  return dirs.some((d) => d && fs.existsSync(path.join(d, "kernels", "gonb", "kernel.json")));
}

function readCase(file) {
  const c = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const key of ["notebook", "name", "reviews"]) {
    if (!c[key]) throw new Error(`${file}: missing "${key}"`);
  }
  if (!c.reviews.some((r) => r.label === "positive") || !c.reviews.some((r) => r.label === "negative")) {
    throw new Error(`${file}: needs at least one positive and one negative review`);
  }
  const merged = { timeoutSeconds: 240, port: 18931, ...c };
  if (process.env.WIDGET_TEST_PORT) merged.port = Number(process.env.WIDGET_TEST_PORT);
  return merged;
}

// makeNeeds makes what the case's notebook reads and an earlier notebook
// writes (e.g. notebook 05's build/model from notebook 04), when missing: each
// of c.needs is {"path", "about", "make": [command…], "makeSeconds"}. It runs
// before the case's own deadline starts, and fails at once naming the path and
// the command if the command cannot make it.
function makeNeeds(c, env) {
  for (const need of c.needs ?? []) {
    const target = path.join(repo, need.path);
    if (fs.existsSync(target)) continue;
    const cmd = need.make.join(" ");
    log(`${need.path} (${need.about}) is missing: making it with \`${cmd}\` (up to ${need.makeSeconds}s)`);
    const started = Date.now();
    const r = spawnSync(need.make[0], need.make.slice(1), { cwd: repo, env, stdio: "inherit", timeout: 1000 * need.makeSeconds });
    if (r.status !== 0 || !fs.existsSync(target)) {
      const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`;
      throw new Error(`${need.path} (${need.about}) is missing and \`${cmd}\` did not make it (${why}); run notebook 04 or that command, then this test again`);
    }
    log(`made ${need.path} in ${Math.round((Date.now() - started) / 1000)}s`);
  }
}

// cleanups stop what the run started; they also run on the deadline and on SIGINT/SIGTERM.
const cleanups = new Set();
async function cleanupAll() {
  await Promise.all([...cleanups].map((f) => f()));
}
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    console.error(`widget-test: ${sig}: cleaning up`);
    await cleanupAll();
    process.exit(1);
  });
}

// once makes an idempotent async function.
function once(f) {
  let p;
  return () => (p ??= f());
}

const sha256 = (file) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// descendants lists the PIDs below pid (kernels and their cell programs).
function descendants(pid) {
  const children = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  const out = [];
  const stack = [pid];
  while (stack.length) {
    for (const c of children.get(stack.pop()) || []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

// stopProcessTree sends SIGTERM to pid (Jupyter shuts its kernels down on
// SIGTERM), waits, then SIGKILLs whatever of the tree is left.
async function stopProcessTree(pid, graceMs = 10000) {
  const tree = descendants(pid);
  if (alive(pid)) process.kill(pid, "SIGTERM");
  for (const deadline = Date.now() + graceMs; Date.now() < deadline; ) {
    if ([pid, ...tree].every((p) => !alive(p))) return [];
    await sleep(100);
  }
  const left = [pid, ...tree].filter(alive);
  for (const p of left) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  return left;
}

async function waitForServer(url, server, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (server.exitCode !== null) throw new Error(`jupyter-notebook exited with ${server.exitCode} before serving (is port ${new URL(url).port} taken? see its log below)`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`jupyter-notebook did not answer ${url} within ${ms / 1000}s`);
}

// cellErrors returns the text of error outputs (compile errors, panics).
async function cellErrors(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll(".output_error, .output_stderr")]
      .map((e) => e.innerText)
      .filter((t) => /error|panic/i.test(t)),
  );
}

// waitWidgetReady waits for a ReviewWidget marked ready, failing early on cell errors.
async function waitWidgetReady(page, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await page.locator('.pol-review[data-ready="1"]').count()) return page.locator('.pol-review[data-ready="1"]').first();
    const errors = await cellErrors(page);
    if (errors.length) throw new Error(`a cell failed:\n${errors.join("\n").slice(0, 3000)}`);
    await sleep(250);
  }
  throw new Error(`the widget was not ready within ${ms / 1000}s`);
}

// ask types text (or sets it directly when huge), clicks Predict `clicks`
// times without waiting in between, and waits for answer #request (the widget
// numbers its answers, so the last click's number proves each was answered).
async function ask(widget, text, request, ms, clicks = 1) {
  const area = widget.locator("textarea");
  const t0 = Date.now();
  if (text.length > 10000) await area.evaluate((el, v) => (el.value = v), text);
  else await area.fill(text);
  const t1 = Date.now();
  for (let i = 0; i < clicks; i++) await widget.locator("button", { hasText: "Predict" }).click();
  const t2 = Date.now();
  const timing = () => `typed in ${((t1 - t0) / 1000).toFixed(1)}s, clicked in ${((t2 - t1) / 1000).toFixed(1)}s, answered ${((Date.now() - t2) / 1000).toFixed(1)}s later`;
  const footer = widget.locator(`.pol-output [data-request="${request}"]`);
  const hint = widget.locator(".pol-output .pol-hint");
  const failed = widget.locator(".pol-output .pol-error");
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await footer.count()) return timing();
    if (await failed.count()) throw new Error(`widget error: ${await failed.first().innerText()}`);
    if (text.trim() === "" && (await hint.count()) && !(await widget.locator(".pol-output .pol-status").count())) return timing();
    await sleep(100);
  }
  throw new Error(`no answer #${request} within ${ms / 1000}s for ${JSON.stringify(text.slice(0, 60))}`);
}

async function runBrowser(c, env, tmp, screenshots) {
  const { chromium } = await import("playwright-core");
  const port = c.port;
  const base = `http://127.0.0.1:${port}`;
  const jupyterLog = path.join(tmp, "jupyter.log");
  const logFd = fs.openSync(jupyterLog, "w");
  const server = spawn(
    JUPYTER_NOTEBOOK,
    [
      "--no-browser", "--ip", "127.0.0.1", "--port", String(port), "--NotebookApp.port_retries=0",
      "--NotebookApp.token=", "--NotebookApp.password=", `--notebook-dir=${repo}`,
      ...(process.getuid() === 0 ? ["--allow-root"] : []),
    ],
    { cwd: repo, env, stdio: ["ignore", logFd, logFd] },
  );
  let browser, page;
  const stop = once(async () => {
    if (browser) await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
    const left = await stopProcessTree(server.pid);
    if (left.length) log(`SIGKILLed processes that ignored SIGTERM: ${left.join(", ")}`);
  });
  cleanups.add(stop);
  try {
    await waitForServer(`${base}/api`, server, STEP_MS);
    log(`jupyter-notebook pid ${server.pid} on ${base}`);
    // A fresh profile (user data dir) per run.
    browser = await chromium.launchPersistentContext(path.join(tmp, "chromium-profile"), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 900 },
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    const consoleErrors = [];
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    page.setDefaultTimeout(STEP_MS);
    await page.goto(`${base}/notebooks/${c.notebook}`, { timeout: STEP_MS });
    await page.waitForFunction(() => globalThis.Jupyter?.notebook?.kernel?.is_connected?.(), null, { timeout: STEP_MS });
    // Never write outputs back into the (committed) notebook.
    await page.evaluate(() => Jupyter.notebook.set_autosave_interval(0));
    log("kernel connected; running all cells");
    await page.evaluate(() => Jupyter.notebook.execute_all_cells());
    const widget = await waitWidgetReady(page, 1000 * Math.max(30, c.timeoutSeconds - 30));
    log("widget ready");
    const answerMs = STEP_MS;
    let request = 0;

    // Empty input: a friendly hint, no prediction.
    await ask(widget, "   ", ++request, answerMs);
    const hint = await widget.locator(".pol-output .pol-hint").innerText();
    if (!/Nothing to predict/.test(hint)) throw new Error(`empty input: want a friendly hint, got ${JSON.stringify(hint)}`);
    log("empty input → hint");

    for (const [i, review] of c.reviews.entries()) {
      await ask(widget, review.text, ++request, answerMs);
      const out = widget.locator(".pol-output");
      const label = await out.locator(".pol-verdict").getAttribute("data-label");
      if (label !== review.label) throw new Error(`${JSON.stringify(review.text)}: label ${label}, want ${review.label}`);
      const kind = review.label === "positive" ? "pol-pos" : "pol-neg";
      const highlighted = await out.locator(`.pol-tok.${kind}`).allInnerTexts();
      if (highlighted.length === 0) throw new Error(`${JSON.stringify(review.text)}: no word highlighted as ${kind}`);
      const probability = await out.locator(".pol-probability").innerText();
      log(`${review.label} ✓ (${probability}; highlighted: ${highlighted.slice(0, 6).join(", ")})`);
      const shot = path.join(screenshots, `${c.name}-${i + 1}-${review.label}.png`);
      await widget.screenshot({ path: shot });
      log(`screenshot ${path.relative(repo, shot)}`);
    }

    // Three quick clicks: each gets its own answer.
    const last = c.reviews.at(-1);
    request += 3;
    await ask(widget, last.text, request, answerMs, 3);
    log("three quick clicks, three answers");

    // A 1 MB paste: truncated with a notice, still predicted.
    const huge = (last.text + " ").repeat(Math.ceil(ONE_MB / (last.text.length + 1))).slice(0, ONE_MB);
    const hugeTiming = await ask(widget, huge, ++request, answerMs);
    const notice = await widget.locator(".pol-output .pol-notice").innerText();
    if (!notice.includes("1,048,576")) throw new Error(`1 MB paste: want a truncation notice naming 1,048,576 characters, got ${JSON.stringify(notice)}`);
    log(`1 MB paste → "${notice}" (${hugeTiming})`);
    await page.screenshot({ path: path.join(screenshots, `${c.name}-page.png`), fullPage: false });

    const gonbErrors = consoleErrors.filter((e) => /gonb_comm|polarity/i.test(e));
    if (gonbErrors.length) log(`browser console errors (not failing): ${gonbErrors.join(" | ")}`);
  } catch (err) {
    if (page) {
      const shot = path.join(screenshots, `${c.name}-FAILED.png`);
      await Promise.race([page.screenshot({ path: shot, fullPage: true }).then(() => log(`failure screenshot ${path.relative(repo, shot)}`), () => {}), sleep(10000)]);
    }
    log(`jupyter log tail:\n${fs.readFileSync(jupyterLog, "utf8").split("\n").filter((l) => !/^\[?I/.test(l)).slice(-25).join("\n")}`);
    throw err;
  } finally {
    await stop();
    cleanups.delete(stop);
    fs.closeSync(logFd);
  }
}

// runHeadlessCheck executes the notebook with nbconvert and no POLARITY_HEADLESS:
// the widget must find no browser, show its example prediction and return.
async function runHeadlessCheck(c, env, tmp, ms) {
  const childEnv = { ...env };
  delete childEnv.POLARITY_HEADLESS;
  const out = path.join(tmp, "nbconvert");
  const args = ["nbconvert", "--to", "notebook", "--execute", c.notebook, "--output-dir", out,
    "--ExecutePreprocessor.kernel_name=gonb", `--ExecutePreprocessor.timeout=${Math.round(ms / 1000)}`];
  const child = spawn(JUPYTER, args, { cwd: repo, env: childEnv, stdio: ["ignore", "ignore", "pipe"] });
  const stop = once(() => stopProcessTree(child.pid, 3000));
  cleanups.add(stop);
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const code = await new Promise((resolve) => {
    const timer = setTimeout(async () => {
      await stop();
      resolve("timeout");
    }, ms);
    child.on("exit", (status) => {
      clearTimeout(timer);
      resolve(status);
    });
  });
  await stop(); // its kernel, should nbconvert have left it behind
  cleanups.delete(stop);
  if (code !== 0) throw new Error(`headless run without ${"POLARITY_HEADLESS"}: nbconvert ${code === "timeout" ? `hung for ${ms / 1000}s` : `exited ${code}`}\n${stderr}`);
  const nb = JSON.parse(fs.readFileSync(path.join(out, path.basename(c.notebook)), "utf8"));
  const html = nb.cells.flatMap((cell) => cell.outputs || []).map((o) => [].concat(o.data?.["text/html"] || []).join("")).join("\n");
  if (!html.includes("No browser is attached") || !html.includes("pol-verdict")) {
    throw new Error("headless run: the widget cell did not show its example prediction");
  }
  log("headless run without POLARITY_HEADLESS: example prediction shown, no hang");
}

async function main() {
  const caseFile = process.argv[2];
  if (!caseFile) {
    console.error("usage: node scripts/browser/widget-test.mjs CASE.json [--headless-check]");
    process.exit(2);
  }
  const c = readCase(path.resolve(caseFile));
  const bin = goBin();
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, POLARITY_HEADLESS: "" };
  if (!fs.existsSync(CHROMIUM)) skipOrFail(`${CHROMIUM} not found`);
  if (!fs.existsSync(JUPYTER_NOTEBOOK)) skipOrFail(`${JUPYTER_NOTEBOOK} not found`);
  try {
    await import("playwright-core");
  } catch {
    skipOrFail("npm playwright-core is not installed in scripts/browser/node_modules");
  }
  if (!kernelInstalled()) skipOrFail("the gonb Jupyter kernel is not registered");
  log("prerequisites found");
  makeNeeds(c, env);

  const notebook = path.join(repo, c.notebook);
  const before = sha256(notebook);
  const screenshots = path.join(repo, "build", "screenshots");
  fs.mkdirSync(screenshots, { recursive: true });
  for (const f of fs.readdirSync(screenshots)) if (f.startsWith(`${c.name}-`)) fs.rmSync(path.join(screenshots, f)); // stale ones
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "polarity-widget-test-"));
  // A private runtime/config dir: no clash with a user's running servers or settings.
  env.JUPYTER_RUNTIME_DIR = path.join(tmp, "runtime");
  env.JUPYTER_CONFIG_DIR = path.join(tmp, "config");

  const deadline = 1000 * c.timeoutSeconds;
  let timer;
  const overall = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`took longer than ${c.timeoutSeconds}s`)), deadline);
  });
  try {
    await Promise.race([runBrowser(c, env, tmp, screenshots), overall]);
    if (process.argv.includes("--headless-check")) await Promise.race([runHeadlessCheck(c, env, tmp, deadline), overall]);
  } finally {
    clearTimeout(timer);
    await cleanupAll();
    if (sha256(notebook) !== before) {
      console.error(`widget-test: FAIL: ${c.notebook} was modified during the test; restore it with git checkout`);
      process.exitCode = 1;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  log("PASS");
}

main().catch((err) => {
  console.error(`widget-test: FAIL: ${err.stack || err}`);
  process.exit(1);
});
