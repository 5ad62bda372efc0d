// The cluster service as Alloy runs it without clustering, until the clustering issue brings the
// real one. Alloy always runs its cluster service: with --cluster.enabled=false the ckit node
// starts alone (no peers to join), enters as a viewer, becomes a participant once the first load
// succeeded (cmd_run.go ChangeState), and terminating at shutdown. The UI's /peers lists the
// sharder's peers — participants and terminating nodes — so it answers [] before the first load
// and then this node alone, named by --cluster.node-name or the hostname, at
// --cluster.advertise-address or 127.0.0.1 with the port of --server.http.listen-addr
// (cluster_builder.go getAdvertiseAddress, findPort).
import { advertiseAddress } from "./cluster/advertise.ts";
import { findPort } from "./cluster/net-address.ts";
import type { UiPeer } from "./ui/host.ts";

export type PeerState = UiPeer["state"];

export class LocalNode {
  #state: PeerState = "viewer";

  constructor(
    readonly name: string,
    readonly addr: string,
  ) {}

  /** The node's address as Alloy picks it when clustering is off. */
  static advertiseAddress(listenAddr: string, advertiseAddr: string | undefined): string {
    return advertiseAddress({ advertiseAddress: advertiseAddr ?? "", listenPort: findPort(listenAddr, 80) });
  }

  get state(): PeerState {
    return this.#state;
  }

  /** ckit's valid transitions only: viewer → participant → terminating. */
  changeState(to: PeerState): void {
    if ((this.#state === "viewer" && to === "participant") || (this.#state === "participant" && to === "terminating")) {
      this.#state = to;
    }
  }

  /** The sharder's view: this node once it participates. */
  peers(): UiPeer[] {
    if (this.#state === "viewer") return [];
    return [{ name: this.name, addr: this.addr, isSelf: true, state: this.#state }];
  }
}
