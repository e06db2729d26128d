// A real EventChat server on a throwaway PostgreSQL, for the JavaScript test suites (the browser tests and the
// TypeScript SDK's tests). It runs the Release build that dotnet test made; it never builds. Node built-ins only, so
// any package can import it by path.
//
// Everything lives below one work folder (PostgreSQL's data, the app's files, the server's pid file), which
// scripts/test-run.sh knows how to clean: a watchdog started here does so if this process dies without its teardown.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { constants as os, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const apiDir = path.join(root, "src/Api");

function postgres(...args) {
  return execFileSync("bash", [path.join(root, "scripts/postgres.sh"), ...args], { encoding: "utf8" }).trim();
}

/** The Api built by dotnet test / dotnet build in Release. */
function apiDll() {
  const bin = path.join(apiDir, "bin/Release");
  const dll = existsSync(bin) && readdirSync(bin).map((tfm) => path.join(bin, tfm, "EventChat.Api.dll")).find(existsSync);
  if (!dll) throw new Error(`No Release build of the Api under ${bin}; run dotnet build -c Release first.`);
  return dll;
}

export class ThrowawayEventChat {
  /** The same keys across a restart, so tokens stay valid and encrypted content stays readable. */
  jwtKey = randomBytes(48).toString("base64");
  #masterKey = randomBytes(32).toString("base64");
  #name; #env; #log; #workDir; #database; #port; #server; #pidFile;

  /**
   * @param {string} name  names the work folder and the database, e.g. "browser"
   * @param {string} logPath  where the server's console output goes
   * @param {Record<string, string>} env  extra configuration, e.g. { EventChat__Limits__MessageBurst: "200" }
   */
  constructor(name, logPath, env = {}) {
    this.#name = name;
    this.#env = env;
    mkdirSync(path.dirname(logPath), { recursive: true });
    this.#log = createWriteStream(logPath);
  }

  get url() { return `http://127.0.0.1:${this.#port}`; }
  get logPath() { return this.#log.path; }

  /** Makes the database and starts the server; a signal or a crash of this process stops both. */
  async start() {
    // PostgreSQL keeps its data in <workDir>/data, where ./eventchat test looks for leftovers to stop.
    this.#workDir = mkdtempSync(path.join(tmpdir(), `eventchat-${this.#name}-`));
    chmodSync(this.#workDir, 0o755);  // as root, PostgreSQL runs as 'postgres', which must reach its data folder
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
      process.once(signal, () => {
        this.destroyNow();
        process.exit(128 + os.signals[signal]);
      });
    }
    // A SIGKILL or a crash runs nothing here: a watchdog in a session of its own cleans workDir up once we are gone.
    spawn("bash", [path.join(root, "scripts/test-run.sh"), "watch", String(process.pid), this.#workDir], { detached: true, stdio: "ignore" }).unref();
    process.on("exit", () => this.destroyNow());  // never leave a server behind, even on a crash
    const pgPort = postgres("free-port");
    const database = `eventchat_${this.#name.replace(/\W/g, "_")}`;
    this.#database = postgres("start", this.#workDir, pgPort, "throwaway").split("\n").at(-1).replace(/Database=[^;]*/, `Database=${database}`);
    postgres("createdb", pgPort, database);
    this.#port = postgres("free-port");
    await this.startServer();
  }

  /** Starts the Api and waits until it answers its health check. Restartable: same port, keys and database. */
  async startServer() {
    const env = {
      ...process.env,
      ASPNETCORE_ENVIRONMENT: "Testing",
      ASPNETCORE_URLS: this.url,
      ConnectionStrings__EventChat: this.#database,
      Jwt__SigningKey: this.jwtKey,
      EventChat__Privacy__MasterKey: this.#masterKey,  // the same key across a restart, or the server refuses to start
      EventChat__DataDirectory: path.join(this.#workDir, "app"),
      EventChat__Attachments__Folder: path.join(this.#workDir, "app/files"),
      ...this.#env,
    };
    // The content root is src/Api, so the web client is served from its wwwroot.
    const server = this.#server = spawn("dotnet", [apiDll()], { cwd: apiDir, env, stdio: ["ignore", "pipe", "pipe"] });
    this.#writePidFile(server.pid);
    server.stdout.pipe(this.#log, { end: false });
    server.stderr.pipe(this.#log, { end: false });
    const exited = new Promise((resolve) => server.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const code = await Promise.race([exited, this.#healthy().then((ok) => (ok ? "up" : null))]);
      if (code === "up") return;
      if (code !== null) throw new Error(`The Api exited with ${code} while starting; see ${this.logPath}`);
      await new Promise((resolve) => setTimeout(resolve, 200));  // poll interval, not a wait for the UI
    }
    throw new Error(`The Api did not become healthy within 90 s; see ${this.logPath}`);
  }

  async stopServer() {
    const server = this.#server;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
    if (this.#pidFile) rmSync(this.#pidFile, { force: true });
    this.#pidFile = undefined;
  }

  /** Stops the server, then removes PostgreSQL and the work folder. */
  async destroy() {
    await this.stopServer();
    this.destroyNow();
    this.#log.end();
  }

  /** Stops everything at once, for a signal: no waiting on anything asynchronous. */
  destroyNow() {
    if (this.#server && this.#server.exitCode === null) this.#server.kill("SIGKILL");
    if (this.#workDir && existsSync(this.#workDir)) postgres("destroy", this.#workDir);
  }

  async #healthy() {
    try {
      return (await fetch(`${this.url}/health/live`)).ok;
    } catch {
      return false;  // not listening yet
    }
  }

  // "<pid> <start time>", as scripts/test-run.sh reads it, so the cleanup of a run killed before its teardown stops
  // the server, and never a process that reused its pid.
  #writePidFile(pid) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    this.#pidFile = path.join(this.#workDir, `eventchat-${this.#name}-server-${pid}.pid`);
    writeFileSync(this.#pidFile, `${pid} ${stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]}\n`);
  }
}
