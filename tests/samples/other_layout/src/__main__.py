"""A program in src/ (Pulumi.yaml `main`), with a helper module and lookups (an AMI, an SSM
parameter) the offline preview answers."""

import pulumi
import pulumi_aws as aws
from naming import prefixed

ami = aws.ec2.get_ami_output(
    most_recent=True, owners=["amazon"], filters=[{"name": "name", "values": ["al2023-ami-*"]}]
)
image_tag = aws.ssm.get_parameter_output(name="/jobs/image-tag")
queue = aws.sqs.Queue(prefixed("jobs"), sqs_managed_sse_enabled=True)
topic = aws.sns.Topic(prefixed("events"))
pulumi.export("queueArn", queue.arn)
pulumi.export("topicArn", topic.arn)
pulumi.export("ami", ami.id)
pulumi.export("imageTag", image_tag.value)

# String work on outputs the mocks have no specific rule for.
api = aws.apigateway.RestApi(prefixed("api"))
pulumi.export("invokeScope", pulumi.Output.concat(api.execution_arn, "/*/*"))
pulumi.export("rootResource", api.root_resource_id.apply(lambda value: value.upper()))
