// Serves the Worker under workerd through Miniflare's API, with local D1, KV and the static
// assets, and without wrangler dev's proxy (whose lost loopback connections under load answer
// POSTs with a false "Your worker restarted mid-request" 503):
//
//   node edge/serve.mjs --script <module> --port <port> --state <dir>
//                       [--vars <file>] [--assets <dir>] [--wrangler <toml>] [--mail <dir>] [--compat <flags>] [--edge]
//
// <module>: the Rust Worker (edge/build/worker/shim.mjs) or the benchmark's JavaScript peer.
// Local D1 and KV persist under <dir> in wrangler's layout (v3/d1, v3/kv), so the migrations
// `wrangler d1 migrations apply --persist-to <dir>` applied are what the Worker sees.
// <file>: NAME=value lines (the Worker's variables and secrets; never on a command line).
// <toml>: the wrangler configuration whose bindings, [vars] and cron triggers to serve
// (default edge/wrangler.toml; the scale benchmark passes ones with 1, 2 or 4 account
// databases).
// <mail>: where each e-mail the Worker sends is also written, as an RFC 5322 .eml file.
// <flags>: compatibility flags to add (`--compat nodejs_compat`), comma-separated.
//
// --edge puts a front on <port> that plays the part Cloudflare's edge plays in production:
// it sets CF-Connecting-IP to the address the TCP connection came from, replacing whatever a
// client sent (workerd alone keeps a client's own CF-Connecting-IP, so any caller could claim
// any address), and hands each request to workerd on a private loopback port. Without --edge
// (the benchmarks), clients talk to workerd directly. Prints "ready" when serving.
import { Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, stripVTControlCharacters } from "node:util";

const { values: args } = parseArgs({
  options: {
    script: { type: "string" },
    port: { type: "string" },
    state: { type: "string" },
    vars: { type: "string" },
    assets: { type: "string" },
    wrangler: { type: "string" },
    mail: { type: "string" },
    compat: { type: "string" },
    edge: { type: "boolean", default: false },
  },
});
if (!args.script || !args.port || !args.state) {
  console.error("usage: node edge/serve.mjs --script <module> --port <port> --state <dir> [--vars <file>] [--assets <dir>] [--wrangler <toml>] [--mail <dir>] [--compat <flags>] [--edge]");
  process.exit(2);
}

/** NAME=value lines; blank lines and # comments skipped. */
function readVars(file) {
  const vars = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) continue;
    const at = trimmed.indexOf("=");
    if (at > 0) vars[trimmed.slice(0, at).trim()] = trimmed.slice(at + 1).trim();
  }
  return vars;
}

// The bindings edge/wrangler.toml declares (D1, KV, queues and their consumers, the e-mail
// binding, the variables) and its cron triggers, as wrangler itself reads them: a local run
// has exactly the bindings a deploy has.
const wranglerToml = args.wrangler ? path.resolve(args.wrangler) : fileURLToPath(new URL("./wrangler.toml", import.meta.url));
const declared = unstable_getMiniflareWorkerOptions(wranglerToml).workerOptions;
const crons = unstable_readConfig({ config: wranglerToml }).triggers?.crons ?? [];

const bindings = {
  ...declared.bindings,
  REQUIRE_TLS: "false",
  // Off unless the caller asks (`RATE_LIMIT_PER_MINUTE=1000000 cargo xtask bench worker`
  // measures what counting every attempt costs without ever refusing one).
  RATE_LIMIT_PER_MINUTE: process.env.RATE_LIMIT_PER_MINUTE ?? "0",
  CAMPAIGN_RATE_LIMIT_PER_MINUTE: process.env.CAMPAIGN_RATE_LIMIT_PER_MINUTE ?? "0",
  ADMIN_TOKEN: "bench-admin-token",
  OUTBOX_SECRET: "bench-outbox-secret",
  ...(args.vars ? readVars(args.vars) : {}),
};

/**
 * The simulated rate-limiting bindings, with the limits the Worker's variables say (a limit
 * of 0 switches the Worker's check off, so the binding's own value does not matter then).
 */
function rateLimits(vars) {
  const perAddress = Number(vars.RATE_LIMIT_PER_MINUTE ?? 60);
  const perCampaign = Number(vars.CAMPAIGN_RATE_LIMIT_PER_MINUTE ?? perAddress * 100);
  const simple = (limit) => ({ simple: { limit: Math.max(1, limit || 1), period: 60 } });
  return { ADDRESS_RATE_LIMITER: simple(perAddress), CAMPAIGN_RATE_LIMITER: simple(perCampaign) };
}

/**
 * Miniflare's log, which is where its simulated e-mail binding reports each message it was
 * given (it writes the message to a temporary .eml file and logs the file's path): each such
 * message is copied to <mail> as `<n>-<time>.eml`, in the order sent. Miniflare's other lines
 * are shown from warnings up.
 */
class MailLog extends Log {
  #sent = 0;
  constructor(dir) {
    super(LogLevel.INFO);
    this.dir = dir;
    if (dir) fs.mkdirSync(dir, { recursive: true });
  }
  logWithLevel(level, message) {
    const sent = stripVTControlCharacters(String(message)).match(
      /send_email binding called with the following message:\s*(\S+\.eml)/,
    );
    if (sent) {
      if (!this.dir) return;
      this.#sent += 1;
      const name = `${String(this.#sent).padStart(5, "0")}-${Date.now()}.eml`;
      try {
        fs.copyFileSync(sent[1], path.join(this.dir, name));
      } catch (error) {
        console.error(`could not keep the sent e-mail ${sent[1]}: ${error.message}`);
      }
      return;
    }
    if (level <= LogLevel.WARN) super.logWithLevel(level, message);
  }
}

// The bindings of edge/wrangler.toml (read above) and its compatibility date.
const mf = new Miniflare({
  log: new MailLog(args.mail ? path.resolve(args.mail) : null),
  // The Request.cf placeholder, without asking workers.cloudflare.com for a real one.
  cf: false,
  modules: true,
  scriptPath: path.resolve(args.script),
  modulesRules: [
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: "2026-04-01",
  // The shipped Worker needs no flag; the benchmark's scrypt peer needs nodejs_compat.
  compatibilityFlags: [...(declared.compatibilityFlags ?? []), ...(args.compat ? args.compat.split(",") : [])],
  d1Databases: declared.d1Databases,
  ratelimits: rateLimits(bindings),
  kvNamespaces: declared.kvNamespaces,
  queueProducers: declared.queueProducers,
  queueConsumers: declared.queueConsumers,
  email: declared.email,
  d1Persist: path.join(args.state, "v3/d1"),
  kvPersist: path.join(args.state, "v3/kv"),
  ...(args.assets
    ? { assets: { directory: path.resolve(args.assets), routerConfig: { has_user_worker: true } } }
    : {}),
  bindings,
  host: "127.0.0.1",
  port: args.edge ? 0 : Number(args.port),
});
const runtime = await mf.ready;

/** Runs the Worker's cron handler once, as Cloudflare's cron trigger does; its outcome. */
async function runCron(cron) {
  const worker = await mf.getWorker();
  return worker.scheduled({ cron, scheduledTime: new Date() });
}

let front;
if (args.edge) {
  // Hop-by-hop headers are the front's own business on each side.
  const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);
  front = http.createServer((request, response) => {
    // A local run's cron trigger on demand (as `wrangler dev --test-scheduled` offers): the
    // tests run the outbox relay now instead of waiting for the minute.
    if (request.method === "GET" && request.url.startsWith("/cdn-cgi/handler/scheduled")) {
      const cron = new URL(request.url, "http://local").searchParams.get("cron") ?? crons[0] ?? "* * * * *";
      runCron(cron).then(
        (result) => {
          response.writeHead(result.outcome === "ok" ? 200 : 500, { "content-type": "text/plain" });
          response.end(`${result.outcome}\n`);
        },
        (error) => {
          response.writeHead(500, { "content-type": "text/plain" });
          response.end(`${error.message}\n`);
        },
      );
      return;
    }
    const headers = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!hopByHop.has(name) && name !== "cf-connecting-ip") headers[name] = value;
    }
    headers["cf-connecting-ip"] = (request.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    // A fresh connection per request: nothing to lose to an idle keep-alive race.
    let answered = false;
    const upstream = http.request(
      { host: runtime.hostname, port: runtime.port, method: request.method, path: request.url, headers, agent: false },
      (answer) => {
        answered = true;
        const answerHeaders = [];
        for (let i = 0; i < answer.rawHeaders.length; i += 2) {
          if (!hopByHop.has(answer.rawHeaders[i].toLowerCase())) {
            answerHeaders.push(answer.rawHeaders[i], answer.rawHeaders[i + 1]);
          }
        }
        response.writeHead(answer.statusCode ?? 502, answerHeaders);
        answer.pipe(response);
      },
    );
    upstream.on("error", (error) => {
      if (answered) return; // the answer is on its way; its own stream ends the response
      console.error(`the local runtime did not answer ${request.method} ${request.url}: ${error.message}`);
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end("the local runtime did not answer\n");
    });
    request.pipe(upstream);
  });
  front.keepAliveTimeout = 60_000;
  await new Promise((resolve, reject) => {
    front.once("error", reject);
    front.listen(Number(args.port), "127.0.0.1", resolve);
  });
}
// The cron triggers, as Cloudflare runs them: every minute for "* * * * *" (the only
// schedule wrangler.toml uses; any other is run every minute too, which a local run can bear).
const cronTimers = crons.map((cron) =>
  setInterval(() => {
    runCron(cron).then(
      (result) => result.outcome === "ok" || console.error(`the cron trigger ${cron} ended: ${result.outcome}`),
      (error) => console.error(`the cron trigger ${cron} failed: ${error.message}`),
    );
  }, 60_000),
);

console.log("ready");
const stop = async () => {
  cronTimers.forEach(clearInterval);
  front?.close();
  await mf.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
