#!/usr/bin/env node
// The `alloy` bin of the npm package: runs the TypeScript sources on Node through tsx's loader
// (in-process, so signals such as SIGHUP reach the agent; the tsx wrapper would swallow them).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/entry.ts");
