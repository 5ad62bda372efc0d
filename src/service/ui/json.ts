// The API's JSON, written the way Go's encoding/json writes Alloy's types: field order, HTML-safe
// string escaping, `[]` for nil lists where Alloy substitutes them, RFC 3339 times with trimmed
// nanoseconds (component_provider.go Info.MarshalJSON, ckit's peer.Peer, api/data.go).
import { statementsJSON } from "../../syntax/alloyjson/index.ts";
import { jsonFloat, jsonString } from "../../syntax/stdlib/gojson.ts";
import type { UiBody, UiComponentDetail, UiComponentInfo, UiPeer } from "./host.ts";

/** Go's time.Time JSON form (RFC3339Nano) in UTC; Go's zero time when absent. */
export function goTime(date: Date | undefined): string {
  if (!date || Number.isNaN(date.getTime())) return "0001-01-01T00:00:00Z";
  const iso = date.toISOString(); // 2024-05-06T07:08:09.120Z
  const [seconds, fraction = ""] = iso.slice(0, -1).split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return `${seconds}${trimmed ? `.${trimmed}` : ""}Z`;
}

const stringList = (list: readonly string[] | undefined) => `[${(list ?? []).map(jsonString).join(",")}]`;

function bodyJSON(body: UiBody | undefined): string {
  if (body === undefined) return "[]";
  if (typeof body === "string") return body.trim() === "" || body.trim() === "null" ? "[]" : body;
  return statementsJSON(body);
}

/** One component as Alloy's Info.MarshalJSON writes it. */
export function componentJSON(info: UiComponentInfo | UiComponentDetail): string {
  const detail = info as UiComponentDetail;
  let out = `{"name":${jsonString(info.name)},"type":"block","localID":${jsonString(info.localID)}`;
  out += `,"moduleID":${jsonString(info.moduleID)}`;
  if (info.label) out += `,"label":${jsonString(info.label)}`;
  out += `,"referencesTo":${stringList(info.referencesTo)}`;
  out += `,"referencedBy":${stringList(info.referencedBy)}`;
  out += `,"dataFlowEdgesTo":${stringList(info.dataFlowEdgesTo)}`;
  const health = info.health;
  out += `,"health":{"state":${jsonString(health.state)},"message":${jsonString(health.message ?? "")}`;
  out += `,"updatedTime":"${goTime(health.updatedTime)}"}`;
  out += `,"original":""`;
  out += `,"arguments":${bodyJSON(detail.arguments)}`;
  out += `,"exports":${bodyJSON(detail.exports)}`;
  out += `,"debugInfo":${bodyJSON(detail.debugInfo)}`;
  if (info.createdModuleIDs && info.createdModuleIDs.length > 0) {
    out += `,"createdModuleIDs":${stringList(info.createdModuleIDs)}`;
  }
  out += `,"liveDebuggingEnabled":${info.liveDebuggingEnabled ? "true" : "false"}}`;
  return out;
}

export function componentListJSON(list: readonly (UiComponentInfo | UiComponentDetail)[]): string {
  return `[${list.map(componentJSON).join(",")}]`;
}

export function peersJSON(peers: readonly UiPeer[]): string {
  const one = (p: UiPeer) =>
    `{"name":${jsonString(p.name)},"addr":${jsonString(p.addr)},"isSelf":${p.isSelf ? "true" : "false"},"state":${jsonString(p.state)}}`;
  return `[${peers.map(one).join(",")}]`;
}

/** One aggregated entry of the /graph stream (api/data.go liveDebuggingData). */
export interface GraphRate {
  componentID: string;
  targetComponentIDs: readonly string[] | undefined;
  type: string;
  rate: number;
}

export function graphRatesJSON(rates: readonly GraphRate[]): string {
  const one = (r: GraphRate) =>
    `{"componentID":${jsonString(r.componentID)},"targetComponentIDs":${r.targetComponentIDs ? stringList(r.targetComponentIDs) : "null"},"type":${jsonString(r.type)},"rate":${jsonFloat(r.rate)}}`;
  return `[${rates.map(one).join(",")}]`;
}
