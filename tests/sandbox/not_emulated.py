"""What the sandbox deploys nowhere, and lists as not emulated (docs/sandbox.md)."""

# The least-privilege proof does not cover these. prod adds the web ACLs, the alarms and their
# topic, and Signer's profile (the signing job and the code signing config it does play, refusing
# unsigned code as Lambda does).
NOT_EMULATED = {
    "dev": set(),
    "prod": {
        "aws:wafv2/webAcl:WebAcl",
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:signer/signingProfile:SigningProfile",
    },
}
EVERY_STACK_NOT_EMULATED = {
    "aws:apigateway/methodSettings:MethodSettings",
    "aws:cloudfront/distribution:Distribution",
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "aws:cloudwatch/logDelivery:LogDelivery",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource",
}
