// Starts `pelab serve` for the end-to-end tests: a fresh data directory, the built UI
// from dist/ (PELAB_WEB_DIR), no MQTT broker, and the first free port in a range.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const WEB_ROOT = resolve(import.meta.dirname, '..');

/** The pelab binary: PELAB_BIN, or the debug build of the repository. */
export const PELAB_BIN = resolve(process.env.PELAB_BIN ?? join(WEB_ROOT, '..', 'target', 'debug', 'pelab'));

function isFree(port) {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/** Finds the first free port from E2E_PORT_FROM to E2E_PORT_TO (default 3100 to 3199). */
async function freePort() {
  const from = Number(process.env.E2E_PORT_FROM ?? 3100);
  const to = Number(process.env.E2E_PORT_TO ?? 3199);
  for (let port = from; port <= to; port += 1) {
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port from ${from} to ${to}; set E2E_PORT_FROM and E2E_PORT_TO`);
}

async function waitReady(base, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`pelab serve exited with code ${child.exitCode} before it was ready`);
    }
    try {
      const response = await fetch(`${base}/ready`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`pelab serve at ${base} was not ready within ${timeoutMs / 1000} s`);
}

const LINK_PATTERN = /\/login\/verify\?token=([A-Za-z0-9._~%-]+)/;

/**
 * Waits until a log line after index `after` contains a sign-in link (`/login/verify?token=`)
 * and, when `email` is given, that address. Returns the link's path and query, to be opened
 * on this server's base URL whatever public URL the server put in front of it.
 */
async function waitForSignInLink(logLines, { after = 0, email, timeoutMs = 15_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const links = [];
    for (const line of logLines.slice(after)) {
      const match = LINK_PATTERN.exec(line);
      if (match) links.push({ path: `/login/verify?token=${match[1]}`, named: email !== undefined && line.includes(email) });
    }
    const named = links.findLast((link) => link.named);
    if (named) return named.path;
    // A log line need not name the address; one link since `after` is then the one requested.
    if (links.length === 1 && (email === undefined || Date.now() > deadline - timeoutMs / 2)) return links[0].path;
    await new Promise((done) => setTimeout(done, 100));
  }
  const recent = logLines.slice(after).slice(-5).join('\n');
  throw new Error(`no sign-in link${email ? ` for ${email}` : ''} in the server log within ${timeoutMs / 1000} s; last lines:\n${recent}`);
}

/**
 * Starts the server and waits for /ready. Returns its base URL and `stop()`, which ends
 * the process and deletes the data directory. The server log goes to `logFile`.
 */
export async function startServer({ logFile, workers = 1, timeoutMs = 60_000 } = {}) {
  if (!existsSync(PELAB_BIN)) {
    throw new Error(`pelab binary not found at ${PELAB_BIN}: build it (cargo build -p pelab) or set PELAB_BIN`);
  }
  const webDir = join(WEB_ROOT, 'dist');
  if (!existsSync(join(webDir, 'index.html'))) {
    throw new Error(`${webDir}/index.html is missing: run \`npm run build\` first`);
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'pelab-e2e-'));
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(PELAB_BIN, ['serve'], {
    env: {
      ...process.env,
      PELAB_LISTEN: `127.0.0.1:${port}`,
      PELAB_DATA_DIR: dataDir,
      PELAB_WEB_DIR: webDir,
      PELAB_MQTT_MODE: 'off',
      PELAB_WORKERS: String(workers),
      PELAB_LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The log is kept in memory as well, because sign-in links are read from it.
  const logLines = [];
  const log = logFile ? createWriteStream(logFile) : null;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text) => {
      log?.write(text);
      const lines = (partial + text).split('\n');
      partial = lines.pop();
      logLines.push(...lines);
    });
  }
  try {
    await waitReady(base, child, timeoutMs);
  } catch (error) {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    base,
    port,
    /** The number of log lines so far; pass it to `signInLink` to skip older links. */
    logMark: () => logLines.length,
    /** Waits for a sign-in link in the log after line `after`, optionally naming `email`. */
    signInLink: (options) => waitForSignInLink(logLines, options),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
