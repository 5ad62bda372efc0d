// The executable's entry point: run the CLI on this runtime's platform and exit with its code.
import { platform } from "../platform/mod.ts";
import { main } from "./main.ts";

const p = platform();
p.exit(await main(p, p.args()));
