// Post-processing of the aligned formatter output, as Alloy's trimmer does:
// drops trailing blanks and tabs at line ends, turns '\f' into '\n', and
// removes the ESCAPE markers while copying escaped text verbatim.

import { ESCAPE } from "./tabwriter.ts";

const ESCAPE_CODE = ESCAPE.charCodeAt(0);

export function trimOutput(data: string): string {
  const out: string[] = [];
  let pendingSpace = ""; // blanks not yet known to be followed by text
  let textStart = -1; // start of the current text run, -1 when none
  let escStart = -1; // start of the current escaped run, -1 when none

  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);

    if (escStart >= 0) {
      if (c === ESCAPE_CODE) {
        out.push(data.slice(escStart, i));
        escStart = -1;
      }
      continue;
    }

    if (textStart >= 0) {
      // Inside a run of text.
      switch (c) {
        case 0x09:
        case 0x0b:
        case 0x20:
          out.push(data.slice(textStart, i));
          textStart = -1;
          pendingSpace = c === 0x0b ? "\t" : data[i]!;
          break;
        case 0x0a:
        case 0x0c:
          out.push(data.slice(textStart, i), "\n");
          textStart = -1;
          break;
        case ESCAPE_CODE:
          out.push(data.slice(textStart, i));
          textStart = -1;
          escStart = i + 1;
          break;
      }
      continue;
    }

    // Between text runs: collecting blanks.
    switch (c) {
      case 0x09:
      case 0x0b:
        pendingSpace += "\t";
        break;
      case 0x20:
        pendingSpace += " ";
        break;
      case 0x0a:
      case 0x0c:
        pendingSpace = "";
        out.push("\n");
        break;
      case ESCAPE_CODE:
        if (pendingSpace !== "") out.push(pendingSpace);
        pendingSpace = "";
        escStart = i + 1;
        break;
      default:
        if (pendingSpace !== "") out.push(pendingSpace);
        pendingSpace = "";
        textStart = i;
    }
  }
  if (textStart >= 0) out.push(data.slice(textStart));
  else if (escStart >= 0) out.push(data.slice(escStart));
  return out.join("");
}
