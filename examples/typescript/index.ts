// A TypeScript program using the event-pipelines component package (see examples/README.md).
// Not run here: no Pulumi CLI or Node.js SDK generation on the machines this project is tested on.
import * as eventPipelines from "@pulumi/event-pipelines";

// New users get a bucket, behind the stack's customer key, access logs and alarms.
const ingest = new eventPipelines.EventPipelines("ingest", {
    shared: { customerKey: true, alarms: { enabled: true, email: "ops@example.com" } },
    userBuckets: {
        bucketPrefix: "acme-ts-users",
        function: { memorySize: 512, reservedConcurrency: 5 },
    },
});

// A pipeline on its own: its building blocks' defaults.
const images = new eventPipelines.ImageMetadata("images", {
    suffixes: [".png", ".jpg"],
    invoke: { maximumRetryAttempts: 1 },
});

export const ingestOutputs = ingest.exports;
export const imagesBucketName = images.bucketName;
