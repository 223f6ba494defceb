// A TypeScript program using the event-pipelines component package (see examples/README.md).
// Not run here: no Pulumi CLI or Node.js SDK generation on the machines this project is tested on.
import * as eventPipelines from "@pulumi/event-pipelines";

const users = new eventPipelines.UserBuckets("users", {
    bucketPrefix: "acme-ts-users",
    function: { memorySize: 512, reservedConcurrency: 5 },
});

const images = new eventPipelines.ImageMetadata("images", {
    suffixes: [".png", ".jpg"],
    invoke: { maximumRetryAttempts: 1 },
});

export const usersTableName = users.tableName;
export const imagesBucketName = images.bucketName;
