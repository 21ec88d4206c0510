// The JavaScript peers for `cargo xtask bench`: what a JS developer would write for enlist's
// native signup route on Workers, doing the same work — bounded JSON body, campaign and
// publishable-key check (KV-cached D1 read, constant-time compare), e-mail and password rules
// (length, the same 10 000 common passwords), a password hash, and one D1 batch writing the
// account and its profile under the same UNIQUE indexes. `cargo xtask bench` bundles it three
// times with esbuild (`--define:PEER_HASH=...`) and serves each with edge/serve.mjs:
//   "scrypt"  node:crypto's scrypt (native code in workerd, `nodejs_compat`) at better-auth's
//             defaults: N=16384, r=16, p=1 (32 MiB), 16-byte salt, 64-byte key;
//   "pbkdf2"  WebCrypto PBKDF2-SHA256 at 100 000 iterations (the most Workers allow), 16-byte
//             salt, 32-byte key: not memory-hard;
//   "argon2"  argon2id with the Rust Worker's cost (19 MiB, 2 passes, 1 lane) in pure JS
//             (@noble/hashes): Workers forbid compiling WebAssembly at run time, so this is
//             what argon2id costs a JS Worker without shipping a wasm module of its own.
import { argon2id } from "@noble/hashes/argon2.js";
import { scrypt } from "node:crypto";
import COMMON_FC from "../../shared/data/common-passwords.fc";

/* global PEER_HASH */
const HASH = typeof PEER_HASH === "string" ? PEER_HASH : "argon2";

const MAX_BODY = 16 * 1024;
const COMMON = (() => {
  const set = new Set();
  let previous = "";
  for (const line of COMMON_FC.split("\n")) {
    if (!line) continue;
    const shared = Math.min(line.charCodeAt(0) - 48, previous.length);
    previous = previous.slice(0, shared) + line.slice(1);
    set.add(previous);
  }
  return set;
})();

const json = (status, body) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const problem = (status, field, code) => json(status, { errors: [{ field, code }] });

function sameText(a, b) {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function email(value) {
  if (typeof value !== "string") return null;
  const v = value.trim();
  if (!v || v.length > 254 || /[\s\x00-\x1f<>()\[\],;:"\\]/.test(v)) return null;
  const at = v.lastIndexOf("@");
  if (at < 1 || at > 64) return null;
  const local = v.slice(0, at), domain = v.slice(at + 1);
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return null;
  const labels = domain.split(".");
  if (labels.length < 2 || labels.some((l) => !/^[\p{L}\p{N}]([\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u.test(l))) return null;
  return v;
}

function base64(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/=+$/, "");
}

async function campaign(env, id) {
  const cached = await env.KV.get(`peer:campaign:${id}`, "json");
  if (cached) return cached;
  const row = await env.DB.prepare("SELECT id, publishable_key FROM campaigns WHERE id = ?1").bind(id).first();
  if (row) await env.KV.put(`peer:campaign:${id}`, JSON.stringify(row), { expirationTtl: 60 });
  return row;
}

/** The password's hash as a PHC string, with the hash this peer was built for. */
async function hashPassword(password) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const secret = new TextEncoder().encode(password);
  if (HASH === "scrypt") {
    const key = await new Promise((resolve, reject) =>
      scrypt(secret, salt, 64, { N: 16384, r: 16, p: 1, maxmem: 64 * 1024 * 1024 }, (e, k) => (e ? reject(e) : resolve(k))),
    );
    return `$scrypt$ln=14,r=16,p=1$${base64(salt)}$${base64(new Uint8Array(key))}`;
  }
  if (HASH === "pbkdf2") {
    const material = await crypto.subtle.importKey("raw", secret, "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 100_000 }, material, 256);
    return `$pbkdf2-sha256$i=100000$${base64(salt)}$${base64(new Uint8Array(bits))}`;
  }
  const hash = argon2id(secret, salt, { t: 2, m: 19456, p: 1, dkLen: 32 });
  return `$argon2id$v=19$m=19456,t=2,p=1$${base64(salt)}$${base64(hash)}`;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return new Response("ok");
    if (request.method !== "POST" || url.pathname !== "/v1/accounts") return problem(404, "request", "route.not_found");
    if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY) return problem(413, "request", "request.malformed");
    const raw = await request.arrayBuffer();
    if (raw.byteLength > MAX_BODY) return problem(413, "request", "request.malformed");
    let body;
    try { body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw)); } catch { return problem(400, "request", "request.malformed"); }
    if (!body || typeof body !== "object" || typeof body.campaign !== "string") return problem(400, "request", "request.malformed");
    const found = await campaign(env, body.campaign);
    const key = request.headers.get("x-publishable-key") ?? "";
    if (!found || !sameText(found.publishable_key, key)) return problem(401, "request", "auth.invalid");

    const problems = [];
    const address = email(body.email);
    if (!address) problems.push({ field: "email", code: body.email ? "email.invalid" : "required" });
    const password = typeof body.password === "string" ? body.password : "";
    const chars = [...password].length;
    if (!password) problems.push({ field: "password", code: "required" });
    else if (chars < 8) problems.push({ field: "password", code: "password.too_short" });
    else if (chars > 256) problems.push({ field: "password", code: "password.too_long" });
    else if (COMMON.has(password.toLowerCase()) || new Set(password).size === 1) problems.push({ field: "password", code: "password.too_weak" });
    if (problems.length) return json(422, { errors: problems });

    const phc = await hashPassword(password);
    const id = "acc_" + crypto.randomUUID().replaceAll("-", "").slice(0, 26);
    const number = 1_000_000 + Math.floor(Math.random() * 2_000_000_000);
    try {
      await env.DB.batch([
        env.DB.prepare(
          "INSERT INTO accounts (id, number, campaign_id, email, email_normalized, password_hash, dialect, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'js-peer', ?7)",
        ).bind(id, number, body.campaign, address, address.toLowerCase(), phc, Date.now()),
        env.DB.prepare("INSERT INTO profiles (account_id, fields) VALUES (?1, ?2)").bind(id, "{}"),
      ]);
    } catch (e) {
      if (String(e).includes("UNIQUE")) return problem(409, "email", "email.taken");
      return problem(500, "request", "internal");
    }
    return json(201, { id, email: address });
  },
};
