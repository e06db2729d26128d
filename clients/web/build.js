// Bundles the web app, with the SDK from source (../typescript/src) and its SignalR client, into the Api's
// wwwroot/app/. Code splitting keeps the admin console and its charting library out of the first load: they come
// with the first visit to #/admin. Run by the Api's build (EventChat.Api.csproj, target BundleWebClient).
import { build } from "esbuild";
import { rmSync } from "node:fs";

const outdir = new URL("../../src/Api/wwwroot/app/", import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  outdir,
  logLevel: "warning",
});
