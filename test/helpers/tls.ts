// A throw-away CA and server certificate for TLS tests, made with the openssl program.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "./tmp.ts";

export interface TestCertificates {
  ca: string;
  cert: string;
  key: string;
  clientCert: string;
  clientKey: string;
}

/** serverAltNames: the server certificate's subjectAltName (localhost and 127.0.0.1 by default). */
export function makeTestCertificates(serverAltNames = "DNS:localhost,IP:127.0.0.1"): TestCertificates {
  const dir = makeTempDir("alloy-ts-tls-");
  try {
    const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir.path, stdio: "pipe" });
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=alloy-ts test CA");
    const sign = (name: string, subject: string, extensions: string) => {
      run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
      writeFileSync(join(dir.path, `${name}.ext`), extensions);
      run("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`);
    };
    sign("server", "/CN=localhost", `subjectAltName=${serverAltNames}\nextendedKeyUsage=serverAuth\n`);
    sign("client", "/CN=alloy-ts test client", "extendedKeyUsage=clientAuth\n");
    const read = (file: string) => readFileSync(join(dir.path, file), "utf8");
    return {
      ca: read("ca.pem"),
      cert: read("server.pem"),
      key: read("server.key"),
      clientCert: read("client.pem"),
      clientKey: read("client.key"),
    };
  } finally {
    dir.cleanup();
  }
}
