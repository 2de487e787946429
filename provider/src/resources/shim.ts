// SPDX-License-Identifier: MIT
// Pulumi serializes a dynamic provider as source text, together with all it
// captures. So the provider object is a shim that captures two strings and
// require()s the implementation at call time: no zod schema, ssh2 object or
// connection pool ever reaches the serializer, and the code that runs is the
// code installed now, not a copy frozen into the state.
import type * as pulumi from "@pulumi/pulumi";

export type ProviderKind = "hypervisor" | "cell";

export function providerShim(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
    const implementationPath = require.resolve("./providers");
    const load = () => require(implementationPath).providers[kind] as Required<pulumi.dynamic.ResourceProvider>;
    return {
        check: (olds, news) => load().check(olds, news),
        diff: (id, olds, news) => load().diff(id, olds, news),
        create: (inputs) => load().create(inputs),
        read: (id, props) => load().read(id, props),
        update: (id, olds, news) => load().update(id, olds, news),
        delete: (id, props) => load().delete(id, props),
    };
}
