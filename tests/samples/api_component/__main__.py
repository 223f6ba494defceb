"""API Gateway in front of a Lambda, written as a ComponentResource with an explicit
provider in another region, a secret and an object from config, a FileArchive and
get_policy_document with conditions."""

import pulumi
import pulumi_aws as aws

cfg = pulumi.Config()
stage = cfg.require("stage")
password = cfg.get_secret("dbPassword") or pulumi.Output.secret("placeholder")
settings = cfg.require_object("settings")

provider = aws.Provider("eu", region="eu-west-1")
opts = pulumi.ResourceOptions(provider=provider)

identity = aws.get_caller_identity()
region = aws.get_region()
partition = aws.get_partition()


class Api(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("demo:index:Api", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        assume = aws.iam.get_policy_document(
            statements=[
                {
                    "actions": ["sts:AssumeRole"],
                    "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
                }
            ]
        )
        self.role = aws.iam.Role(f"{name}-role", assume_role_policy=assume.json, opts=child)
        aws.iam.RolePolicyAttachment(
            f"{name}-logs",
            role=self.role.name,
            policy_arn=f"arn:{partition.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            opts=child,
        )
        table = aws.dynamodb.Table(
            f"{name}-table",
            hash_key="id",
            billing_mode="PAY_PER_REQUEST",
            attributes=[{"name": "id", "type": "S"}],
            point_in_time_recovery={"enabled": True},
            opts=child,
        )
        doc = aws.iam.get_policy_document_output(
            statements=[
                {
                    "actions": ["dynamodb:GetItem", "dynamodb:PutItem"],
                    "resources": [table.arn],
                },
                {
                    "actions": ["kms:Decrypt"],
                    "resources": [f"arn:aws:kms:{region.region}:{identity.account_id}:key/abcd"],
                    "conditions": [
                        {
                            "test": "StringEquals",
                            "variable": "kms:ViaService",
                            "values": [f"dynamodb.{region.region}.amazonaws.com"],
                        }
                    ],
                },
            ]
        )
        aws.iam.RolePolicy(f"{name}-data", role=self.role.id, policy=doc.json, opts=child)
        self.fn = aws.lambda_.Function(
            f"{name}-fn",
            runtime="python3.12",
            handler="index.handler",
            role=self.role.arn,
            code=pulumi.FileArchive("./app"),
            memory_size=settings["memory"],
            tags=settings["tags"],
            environment={"variables": {"TABLE": table.name, "DB_PASSWORD": password}},
            opts=child,
        )
        aws.cloudwatch.LogGroup(
            f"{name}-logs-group",
            name=self.fn.name.apply(lambda n: f"/aws/lambda/{n}"),
            retention_in_days=14,
            opts=child,
        )
        self.api = aws.apigateway.RestApi(f"{name}-api", opts=child)
        res = aws.apigateway.Resource(
            f"{name}-res",
            rest_api=self.api.id,
            parent_id=self.api.root_resource_id,
            path_part="items",
            opts=child,
        )
        method = aws.apigateway.Method(
            f"{name}-get",
            rest_api=self.api.id,
            resource_id=res.id,
            http_method="GET",
            authorization="NONE",
            opts=child,
        )
        integ = aws.apigateway.Integration(
            f"{name}-integ",
            rest_api=self.api.id,
            resource_id=res.id,
            http_method=method.http_method,
            integration_http_method="POST",
            type="AWS_PROXY",
            uri=self.fn.invoke_arn,
            opts=child,
        )
        aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=self.fn.name,
            principal="apigateway.amazonaws.com",
            source_arn=self.api.execution_arn.apply(lambda a: f"{a}/*/*"),
            opts=child,
        )
        dep = aws.apigateway.Deployment(
            f"{name}-deploy",
            rest_api=self.api.id,
            triggers={"redeploy": integ.id},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[integ]),
        )
        self.stage = aws.apigateway.Stage(
            f"{name}-stage", rest_api=self.api.id, deployment=dep.id, stage_name=stage, opts=child
        )
        self.url = self.stage.invoke_url.apply(lambda u: u + "/items")
        self.register_outputs({"url": self.url})


api = Api("items", opts=opts)
pulumi.export("url", api.url)
pulumi.export("account", identity.account_id)
pulumi.export("execArnParts", api.api.execution_arn.apply(lambda a: a.split(":")[5]))
