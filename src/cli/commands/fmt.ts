// `alloy fmt [-w] [-t] [FILE|-]`: Alloy's formatter on a file or standard input, with Alloy's rules —
// -w writes back only when something changed, -t fails when the file is not formatted, a parse
// error prints every diagnostic and fails.
import { diagnosticString, isDiagnostics } from "../../syntax/diag.ts";
import { format } from "../../syntax/printer.ts";
import type { CommandSpec } from "../command.ts";
import { CommandError } from "../context.ts";

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

export const fmtCommand: CommandSpec = {
  name: "fmt",
  description: "Format a configuration file",
  positional: { name: "file", description: "File to format; standard input when absent or -" },
  flags: {
    write: { type: "boolean", short: "w", description: "write result to (source) file instead of stdout" },
    test: { type: "boolean", short: "t", description: "exit with non-zero when changes would be made. Cannot be used with -w/--write" },
  },
  async run({ values, positionals }, { platform }) {
      if (positionals.length > 1) throw new CommandError(`accepts between 0 and 1 arg(s), received ${positionals.length}`);
      const args = { write: values.write === true, test: values.test === true };
      const path = positionals[0] && positionals[0] !== "-" ? positionals[0] : undefined;
      if (args.write && args.test) throw new CommandError("cannot use -w/--write and -t/--test at the same time");
      if (!path && args.write) throw new CommandError("cannot use -w with standard input");
      if (path) {
        const info = await platform.fs.stat(path);
        if (!info) throw new CommandError(`stat ${path}: no such file or directory`);
        if (info.isDirectory) throw new CommandError("cannot format a directory");
      }
      const filename = path ?? "<stdin>";
      const source = path ? await platform.fs.readFile(path) : await platform.readStdin();

      let formatted: Uint8Array;
      try {
        formatted = new TextEncoder().encode(format(source, filename));
      } catch (error) {
        if (!isDiagnostics(error)) throw error;
        for (const diagnostic of error.diagnostics) platform.stderr.write(diagnosticString(diagnostic) + "\n");
        throw new CommandError("encountered errors during formatting");
      }

      const unchanged = sameBytes(source, formatted);
      if (args.test) {
        if (!unchanged) throw new CommandError(`file ${filename} is not formatted correctly`);
        return;
      }
      if (!args.write) {
        platform.stdout.write(formatted);
        return;
      }
      if (!unchanged) await platform.fs.writeFileAtomic(path!, formatted);
  },
};
