// The built-in components of alloy-ts: every component a configuration can name. A component is
// listed here only once it works for real (DESIGN.md); until then Alloy's "cannot find the
// definition of component name" error tells the user it is not available.
import { Registry } from "../runtime/registry.ts";
import type { ComponentDefinition } from "../runtime/component.ts";
import { discoveryDns } from "./discovery/dns.ts";
import { discoveryFile } from "./discovery/file.ts";
import { discoveryHttp } from "./discovery/http.ts";
import { discoveryRelabel } from "./discovery/relabel.ts";
import { localFile } from "./local/file.ts";
import { prometheusExporterSelf } from "./prometheus/exporter/self.ts";
import { prometheusExporterUnix } from "./prometheus/exporter/unix/component.ts";
import { prometheusReceiveHttp } from "./prometheus/receive_http/component.ts";
import { prometheusRelabel } from "./prometheus/relabel/component.ts";
import { prometheusRemoteWrite } from "./prometheus/remotewrite/component.ts";
import { prometheusScrape } from "./prometheus/scrape/component.ts";
import { remoteHttp } from "./remote/http.ts";

export const BUILTIN_COMPONENTS: readonly ComponentDefinition<any, any>[] = [discoveryDns, discoveryFile, discoveryHttp, discoveryRelabel, localFile, prometheusExporterSelf, prometheusExporterUnix, prometheusReceiveHttp, prometheusRelabel, prometheusRemoteWrite, prometheusScrape, remoteHttp];

export function builtinRegistry(extra: readonly ComponentDefinition<any, any>[] = []): Registry {
  return new Registry([...BUILTIN_COMPONENTS, ...extra]);
}
