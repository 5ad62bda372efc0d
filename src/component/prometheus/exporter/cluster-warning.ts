// Host exporters and clustering do not mix (Alloy's exporter/common/cluster_warning.go): such an
// exporter's target carries the host's name as its instance, so every agent of a cluster exports a
// different target and each agent's clustered scrape sees only its own share of a set nobody
// agrees on. Alloy warns when the exporter is built or updated on an agent that is clustered, i.e.
// whose cluster is not ready or has peers.
import type { ComponentContext } from "../../../runtime/component.ts";
import { clusterOf } from "../../../runtime/cluster.ts";

const DETAILS =
  "The default instance label set by this exporter is the hostname of the machine running Alloy. Alloy clustering uses consistent hashing to distribute targets across the instances. This approach requires the discovered targets to be the same and have the same labels across all cluster instances. Please make sure you correctly set the instance label for this exporter or use a prometheus.scrape with disabled clustering. Alternatively, you can move this pipeline to a different Alloy deployment that does not use clustering.";

export function warnIfUsedInCluster<E>(context: ComponentContext<E>): void {
  const cluster = clusterOf(context);
  if (!cluster) return;
  if (!cluster.ready() || cluster.peers().length > 0) {
    context.logger.warn("detected clustering is configured while using a host-specific exporter - please make sure your configuration is correct", {
      exporter: context.id,
      details: DETAILS,
    });
  }
}
