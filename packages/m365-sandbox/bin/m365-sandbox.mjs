#!/usr/bin/env node
// The m365-sandbox command. The sandbox is written in TypeScript and runs from its sources: tsx (a
// dependency of this package) compiles them as they load — ES modules and CommonJS, as `node --import tsx`
// does — so a plain `npm ci` is all it needs.
import { register as registerCjs } from "tsx/cjs/api";
import { register as registerEsm } from "tsx/esm/api";

registerEsm();
registerCjs();
await import("../src/cli.ts");
