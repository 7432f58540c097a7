import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { accessSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * The Envoy ext_proc v3 protocol, from the .proto files that @grpc/grpc-js-xds (maintained by the gRPC team)
 * ships with their licenses under deps/: Envoy's API and its imports (xds, validate, googleapis).
 *
 * That copy of Envoy's API predates FULL_DUPLEX_STREAMED, the only body mode the EPP speaks, so it lacks the
 * field the EPP answers bodies with: BodyMutation.streamed_response (field 3, a StreamedBodyResponse with
 * `bytes body = 1; bool end_of_stream = 2`). A field unknown to the decoder is silently dropped, so it is added
 * to the loaded schema here.
 */
function protoRoots(): string[] {
  const pkg = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  return ['envoy-api', 'xds', 'protoc-gen-validate', 'googleapis'].map((d) => join(pkg, 'deps', d));
}

export function loadExtProcRoot(): protobuf.Root {
  const roots = protoRoots();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of roots) {
      const candidate = join(dir, target);
      try {
        accessSync(candidate);
        return candidate;
      } catch {
        // try the next include root
      }
    }
    return target;
  };
  root.loadSync('envoy/service/ext_proc/v3/external_processor.proto', { keepCase: true });
  const ns = root.lookup('envoy.service.ext_proc.v3') as protobuf.Namespace;
  if (!root.lookup('envoy.service.ext_proc.v3.StreamedBodyResponse')) {
    ns.add(
      new protobuf.Type('StreamedBodyResponse')
        .add(new protobuf.Field('body', 1, 'bytes'))
        .add(new protobuf.Field('end_of_stream', 2, 'bool')),
    );
  }
  const bodyMutation = root.lookupType('envoy.service.ext_proc.v3.BodyMutation');
  if (!bodyMutation.fields.streamed_response) {
    const field = new protobuf.Field('streamed_response', 3, 'StreamedBodyResponse');
    bodyMutation.add(field);
    bodyMutation.oneofs.mutation.add(field);
  }
  root.resolveAll();
  return root;
}

let cached: grpc.ServiceClientConstructor | undefined;

export function externalProcessorClient(): grpc.ServiceClientConstructor {
  if (cached) return cached;
  const def = protoLoader.fromJSON(loadExtProcRoot().toJSON(), {
    keepCase: true,
    longs: String,
    enums: Number,
    defaults: false,
    oneofs: true,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pkg = grpc.loadPackageDefinition(def) as any;
  cached = pkg.envoy.service.ext_proc.v3.ExternalProcessor as grpc.ServiceClientConstructor;
  return cached;
}
