"""Actions that let a principal raise its own privileges, from a maintained catalog.

PATHS is the set of AWS privilege-escalation paths catalogued by pathfinding.cloud (DataDog's
maintained, sourced catalog, https://pathfinding.cloud, repository DataDog/pathfinding.cloud,
data/paths): each path's id and the permissions it requires, nothing else of it. ACTIONS are the
actions of those paths that change what runs or who may do what; the few a path needs only to set
off what another of its actions prepared (RUN_ONLY) are left out, so that an ordinary
`lambda:InvokeFunction` is not called an escalation. Every path keeps at least one action in
ACTIONS (a test checks it), so a principal that can take any path is reported.

ADDITIONAL covers what the catalog does not (yet) list, each with the document that shows it.
To refresh: `python -m tools.escalation_paths PATH_TO_A_CHECKOUT` prints the catalog's table,
and what differs from PATHS, for a reviewer to apply here.
"""

SOURCE = "pathfinding.cloud (DataDog/pathfinding.cloud, data/paths/aws, read 2026-12-06)"

PATHS = {
    "apprunner-001": ("iam:PassRole", "apprunner:CreateService"),
    "apprunner-002": ("apprunner:UpdateService",),
    "batch-001": ("iam:PassRole", "batch:RegisterJobDefinition", "batch:SubmitJob"),
    "batch-002": ("batch:SubmitJob",),
    "batch-003": (
        "iam:PassRole",
        "batch:CreateComputeEnvironment",
        "batch:CreateJobQueue",
        "batch:RegisterJobDefinition",
        "batch:SubmitJob",
    ),
    "bedrock-001": (
        "iam:PassRole",
        "bedrock-agentcore:CreateCodeInterpreter",
        "bedrock-agentcore:StartCodeInterpreterSession",
        "bedrock-agentcore:InvokeCodeInterpreter",
    ),
    "bedrock-002": (
        "bedrock-agentcore:StartCodeInterpreterSession",
        "bedrock-agentcore:InvokeCodeInterpreter",
    ),
    "bedrock-003": (
        "iam:PassRole",
        "bedrock-agentcore:CreateAgentRuntime",
        "bedrock-agentcore:CreateAgentRuntimeEndpoint",
        "bedrock-agentcore:CreateWorkloadIdentity",
        "bedrock-agentcore:InvokeAgentRuntimeCommand",
    ),
    "bedrock-004": ("bedrock-agentcore:InvokeAgentRuntimeCommand",),
    "bedrock-005": (
        "iam:PassRole",
        "bedrock-agentcore:CreateHarness",
        "bedrock-agentcore:CreateAgentRuntime",
        "bedrock-agentcore:CreateAgentRuntimeEndpoint",
        "bedrock-agentcore:CreateWorkloadIdentity",
        "bedrock-agentcore:GetAgentRuntime",
        "bedrock-agentcore:GetHarness",
        "bedrock-agentcore:InvokeAgentRuntimeCommand",
    ),
    "bedrock-006": (
        "iam:PassRole",
        "bedrock-agentcore:CreateBrowser",
        "bedrock-agentcore:StartBrowserSession",
        "bedrock-agentcore:ConnectBrowserAutomationStream",
    ),
    "bedrock-007": (
        "bedrock-agentcore:StartBrowserSession",
        "bedrock-agentcore:ConnectBrowserAutomationStream",
    ),
    "braket-001": ("iam:PassRole", "braket:CreateJob"),
    "cloudformation-001": ("iam:PassRole", "cloudformation:CreateStack"),
    "cloudformation-002": ("cloudformation:UpdateStack",),
    "cloudformation-003": (
        "iam:PassRole",
        "cloudformation:CreateStackSet",
        "cloudformation:CreateStackInstances",
    ),
    "cloudformation-004": ("iam:PassRole", "cloudformation:UpdateStackSet"),
    "cloudformation-005": ("cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"),
    "codebuild-001": ("iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"),
    "codebuild-002": ("codebuild:StartBuild",),
    "codebuild-003": ("codebuild:StartBuildBatch",),
    "codebuild-004": ("iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuildBatch"),
    "codedeploy-001": (
        "codedeploy:CreateDeployment",
        "codedeploy:RegisterApplicationRevision",
        "codedeploy:GetDeploymentConfig",
    ),
    "cognitoidentity-001": ("iam:PassRole", "cognito-identity:SetIdentityPoolRoles"),
    "datapipeline-001": (
        "iam:PassRole",
        "datapipeline:CreatePipeline",
        "datapipeline:PutPipelineDefinition",
        "datapipeline:ActivatePipeline",
    ),
    "ec2-001": ("iam:PassRole", "ec2:RunInstances"),
    "ec2-002": ("ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"),
    "ec2-003": ("iam:PassRole", "ec2:RequestSpotInstances"),
    "ec2-004": ("ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"),
    "ec2-005": ("ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"),
    "ec2instanceconnect-003": ("ec2-instance-connect:SendSSHPublicKey", "ec2:DescribeInstances"),
    "ecs-001": (
        "iam:PassRole",
        "ecs:CreateCluster",
        "ecs:RegisterTaskDefinition",
        "ecs:CreateService",
    ),
    "ecs-002": ("iam:PassRole", "ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:RunTask"),
    "ecs-003": ("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:CreateService"),
    "ecs-004": ("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"),
    "ecs-005": ("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:StartTask"),
    "ecs-006": ("ecs:ExecuteCommand", "ecs:DescribeTasks"),
    "ecs-007": ("iam:PassRole", "ecs:RegisterContainerInstance", "ecs:StartTask"),
    "ecs-008": ("iam:PassRole", "ecs:RunTask"),
    "ecs-009": ("iam:PassRole", "ecs:StartTask"),
    "emr-001": ("iam:PassRole", "elasticmapreduce:RunJobFlow"),
    "emrserverless-001": (
        "iam:PassRole",
        "emr-serverless:CreateApplication",
        "emr-serverless:StartJobRun",
    ),
    "gamelift-001": (
        "iam:PassRole",
        "gamelift:CreateBuild",
        "gamelift:CreateFleet",
        "gamelift:RequestUploadCredentials",
    ),
    "glue-001": ("iam:PassRole", "glue:CreateDevEndpoint"),
    "glue-002": ("glue:UpdateDevEndpoint",),
    "glue-003": ("iam:PassRole", "glue:CreateJob", "glue:StartJobRun"),
    "glue-004": ("iam:PassRole", "glue:CreateJob", "glue:CreateTrigger"),
    "glue-005": ("iam:PassRole", "glue:UpdateJob", "glue:StartJobRun"),
    "glue-006": ("iam:PassRole", "glue:UpdateJob", "glue:CreateTrigger"),
    "glue-007": ("iam:PassRole", "glue:CreateSession", "glue:RunStatement"),
    "iam-001": ("iam:CreatePolicyVersion",),
    "iam-002": ("iam:CreateAccessKey",),
    "iam-003": ("iam:CreateAccessKey", "iam:DeleteAccessKey"),
    "iam-004": ("iam:CreateLoginProfile",),
    "iam-005": ("iam:PutRolePolicy",),
    "iam-006": ("iam:UpdateLoginProfile",),
    "iam-007": ("iam:PutUserPolicy",),
    "iam-008": ("iam:AttachUserPolicy",),
    "iam-009": ("iam:AttachRolePolicy",),
    "iam-010": ("iam:AttachGroupPolicy",),
    "iam-011": ("iam:PutGroupPolicy",),
    "iam-012": ("iam:UpdateAssumeRolePolicy",),
    "iam-013": ("iam:AddUserToGroup",),
    "iam-014": ("iam:AttachRolePolicy", "sts:AssumeRole"),
    "iam-015": ("iam:AttachUserPolicy", "iam:CreateAccessKey"),
    "iam-016": ("iam:CreatePolicyVersion", "sts:AssumeRole"),
    "iam-017": ("iam:PutRolePolicy", "sts:AssumeRole"),
    "iam-018": ("iam:PutUserPolicy", "iam:CreateAccessKey"),
    "iam-019": ("iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"),
    "iam-020": ("iam:CreatePolicyVersion", "iam:UpdateAssumeRolePolicy"),
    "iam-021": ("iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"),
    "imagebuilder-001": (
        "iam:PassRole",
        "imagebuilder:CreateComponent",
        "imagebuilder:CreateImageRecipe",
        "imagebuilder:CreateInfrastructureConfiguration",
        "imagebuilder:CreateImage",
    ),
    "kinesisanalytics-001": (
        "iam:PassRole",
        "kinesisanalytics:CreateApplication",
        "kinesisanalytics:StartApplication",
    ),
    "lambda-001": ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"),
    "lambda-002": ("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
    "lambda-003": ("lambda:UpdateFunctionCode",),
    "lambda-004": ("lambda:UpdateFunctionCode", "lambda:InvokeFunction"),
    "lambda-005": ("lambda:UpdateFunctionCode", "lambda:AddPermission"),
    "lambda-006": ("iam:PassRole", "lambda:CreateFunction", "lambda:AddPermission"),
    "omics-001": ("iam:PassRole", "omics:CreateWorkflow", "omics:StartRun", "s3:GetObject"),
    "sagemaker-001": ("iam:PassRole", "sagemaker:CreateNotebookInstance"),
    "sagemaker-002": ("iam:PassRole", "sagemaker:CreateTrainingJob"),
    "sagemaker-003": ("iam:PassRole", "sagemaker:CreateProcessingJob"),
    "sagemaker-004": ("sagemaker:CreatePresignedNotebookInstanceUrl",),
    "sagemaker-005": (
        "sagemaker:CreateNotebookInstanceLifecycleConfig",
        "sagemaker:StopNotebookInstance",
        "sagemaker:UpdateNotebookInstance",
        "sagemaker:StartNotebookInstance",
    ),
    "ssm-001": ("ssm:StartSession",),
    "ssm-002": ("ssm:SendCommand",),
    "ssm-003": ("iam:PassRole", "ssm:CreateDocument", "ssm:StartAutomationExecution"),
    "sts-001": ("sts:AssumeRole",),
}
# Paths of the catalog's December 2025 layout (data/paths/<service>/) that its 2026 layout
# (data/paths/aws/<service>/) no longer lists; they are still escalations.
EARLIER_PATHS = {"ec2instanceconnect-003", "glue-002", "sagemaker-003"}

# Needed by a path only to set off what another of its actions created or changed; alone they
# run what is already there, with the permissions it already has.
RUN_ONLY = {
    "batch:CreateComputeEnvironment": "a place for the job to run",
    "batch:CreateJobQueue": "a queue for the job",
    "bedrock-agentcore:ConnectBrowserAutomationStream": "drives the browser session started",
    "bedrock-agentcore:CreateAgentRuntimeEndpoint": "an endpoint for the runtime created",
    "bedrock-agentcore:CreateWorkloadIdentity": "an identity for the runtime created",
    "bedrock-agentcore:GetAgentRuntime": "reads the runtime",
    "bedrock-agentcore:GetHarness": "reads the harness",
    "bedrock-agentcore:InvokeCodeInterpreter": "runs code in the session that was started",
    "cloudformation:ExecuteChangeSet": "applies the change set that was created",
    "codedeploy:GetDeploymentConfig": "reads the deployment configuration",
    "datapipeline:ActivatePipeline": "runs the pipeline that was defined",
    "ec2:DescribeInstances": "reads the instances to target",
    "ec2:StartInstances": "restarts the instance whose attributes were changed",
    "ec2:StopInstances": "stops the instance so its attributes can be changed",
    "ecs:CreateCluster": "a cluster for the task definition to run in",
    "ecs:DescribeTasks": "reads the tasks to target",
    "gamelift:RequestUploadCredentials": "uploads the build that was created",
    "glue:CreateTrigger": "runs the job that was created or changed",
    "glue:RunStatement": "runs code in the session that was created",
    "glue:StartJobRun": "runs the job that was created or changed",
    "iam:DeleteAccessKey": "makes room for a new access key",
    "imagebuilder:CreateImage": "builds the image the component and configuration define",
    "imagebuilder:CreateImageRecipe": "names the component to build",
    "kinesisanalytics:StartApplication": "runs the application that was created",
    "lambda:AddPermission": "lets someone run the function that was created or changed",
    "lambda:InvokeFunction": "runs the function that was created or changed",
    "s3:GetObject": "reads the workflow definition",
    "sagemaker:StartNotebookInstance": "restarts the notebook whose lifecycle was changed",
    "sagemaker:StopNotebookInstance": "stops the notebook so its lifecycle can be changed",
}

# Escalations the catalog does not list, with the AWS document that shows each.
ADDITIONAL = {
    # IAM User Guide, "Permissions boundaries for IAM entities": a boundary caps what the
    # entity's policies allow; removing or replacing it raises the cap.
    "iam:DeleteRolePermissionsBoundary": "removes the cap on a role's policies",
    "iam:DeleteUserPermissionsBoundary": "removes the cap on a user's policies",
    "iam:PutRolePermissionsBoundary": "replaces the cap on a role's policies",
    "iam:PutUserPermissionsBoundary": "replaces the cap on a user's policies",
    # IAM User Guide, "Versioning IAM policies": the default version is the one in force.
    "iam:SetDefaultPolicyVersion": "puts an older, broader version of a policy in force",
    # EC2 User Guide, "EC2 Serial Console": a shell on the instance, then its role from IMDS.
    "ec2-instance-connect:SendSerialConsoleSSHPublicKey": "a serial-console shell on an instance",
    # Lambda Developer Guide, "Lambda layers": a layer's code runs with the function's role.
    "lambda:UpdateFunctionConfiguration": "adds a layer whose code runs with the function's role",
}

ACTIONS = tuple(
    sorted(
        {action for path in PATHS.values() for action in path if action not in RUN_ONLY}
        | set(ADDITIONAL),
        key=str.lower,
    )
)

# Actions every catalogued path through which also passes a role (pathfinding.cloud's
# "new-passrole" paths: lambda:CreateFunction, ec2:RunInstances, ...): an escalation only beside
# an iam:PassRole on roles the document does not name.
WITH_PASS_ROLE = frozenset(
    action
    for action in ACTIONS
    if action not in ADDITIONAL
    and action != "iam:PassRole"
    and all("iam:PassRole" in path for path in PATHS.values() if action in path)
)

# Actions whose resource is an IAM policy: on AWS managed policies (arn:aws:iam::aws:policy/...),
# which no customer can write, they change nothing.
POLICY_VERSION_ACTIONS = {"iam:createpolicyversion", "iam:setdefaultpolicyversion"}
