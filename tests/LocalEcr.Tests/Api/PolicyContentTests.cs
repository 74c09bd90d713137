using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>
/// SetRepositoryPolicy and PutLifecyclePolicy check what the policy says, not only that it is JSON: ECR refuses an
/// invalid one with InvalidParameterException. The valid examples are AWS's own, so the checks stay conservative.
/// </summary>
public sealed class PolicyContentTests
{
    private const string Push = """["ecr:BatchGetImage","ecr:BatchCheckLayerAvailability","ecr:CompleteLayerUpload","ecr:GetDownloadUrlForLayer","ecr:InitiateLayerUpload","ecr:PutImage","ecr:UploadLayerPart"]""";

    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html, and Lambda's
    // https://docs.aws.amazon.com/lambda/latest/dg/images-create.html (Version 2008-10-17).
    public static TheoryData<string> ValidRepositoryPolicies() =>
    [
        $$"""{"Version":"2012-10-17","Statement":[{"Sid":"AllowPushPull","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:user/push-pull-user-1","arn:aws:iam::123456789012:user/push-pull-user-2"]},"Action":{{Push}}}]}""",
        $$"""{"Version":"2012-10-17","Statement":[{"Sid":"AllowCrossAccountPush","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":{{Push}}}]}""",
        """{"Version":"2012-10-17","Statement":[{"Sid":"DenyPull","Effect":"Deny","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}""",
        """{"Version":"2012-10-17","Statement":[{"Sid":"CodeBuildAccess","Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:codebuild:us-east-1:123456789012:project/project-name"},"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}""",
        """{"Version":"2008-10-17","Statement":[{"Sid":"LambdaECRImageRetrievalPolicy","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}""",
        """{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"ecr:*"}}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"NotAction":"ecr:Delete*"}]}""",
    ];

    public static TheoryData<string> InvalidRepositoryPolicies() =>
    [
        """{}""",
        """[]""",
        """{"Version":"2012-10-17"}""",
        """{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}""",
        """{"Version":"2012-10-17","Statements":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}""",
        """{"Version":"2012-10-17","Statement":"allow everyone"}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Principal":"*","Action":"ecr:BatchGetImage"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Principal":"*","Action":"ecr:BatchGetImage"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"someone","Action":"ecr:BatchGetImage"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"User":"me"},"Action":"ecr:BatchGetImage"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","NotPrincipal":{"AWS":"123456789012"},"Action":"ecr:BatchGetImage"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":[]}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage","Resources":"*"}]}""",
    ];

    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html and the archive rules of
    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html.
    public static TheoryData<string> ValidLifecyclePolicies() =>
    [
        """{"rules":[{"rulePriority":1,"description":"Expire images older than 14 days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}""",
        """{"rules":[{"rulePriority":1,"description":"Keep last 1 prod image","selection":{"tagStatus":"tagged","tagPatternList":["prod*"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""",
        """{"rules":[{"rulePriority":1,"description":"Rule 1","selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":2,"description":"Rule 2","selection":{"tagStatus":"tagged","tagPrefixList":["beta"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":3,"description":"Rule 3","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""",
        """{"rules":[{"rulePriority":1,"description":"Rule 1","selection":{"tagStatus":"tagged","tagPatternList":["*test*1*2*3","test*1*2*3*"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}""",
        """{"rules":[{"rulePriority":1,"description":"Archive images not pulled for 90 days","selection":{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":90},"action":{"type":"transition","targetStorageClass":"archive"}},{"rulePriority":2,"description":"Expire archived images after a year","selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":365},"action":{"type":"expire"}}]}""",
        """{"rules":[{"rulePriority":1,"description":"Expire archived images at the archive's minimum","selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":90},"action":{"type":"expire"}}]}""",
    ];

    private const string AnyExpire = "\"action\":{\"type\":\"expire\"}";

    // Each at least 100 characters (the model's minimum), so only the content is wrong.
    public static TheoryData<string> InvalidLifecyclePolicies() =>
    [
        """{"rules":[],"description":"no rules at all, padded to the model's minimum length of one hundred characters"}""",
        """{"policy":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}""",
        $$"""{"rules":[{"rulePriority":0,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}},{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"TAGGEDISH","countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"description":"tagged but no tags","selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["test*1*2*3*4*5*6"],"countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountLessThan","countNumber":5},{{AnyExpire}}}],"x":"padding"}""",
        $$"""{"rules":[{"rulePriority":1,"description":"no unit","selection":{"tagStatus":"any","countType":"sinceImagePushed","countNumber":5},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"hours","countNumber":5},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"description":"zero","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":0},{{AnyExpire}}}]}""",
        """{"rules":[{"rulePriority":1,"description":"delete","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"delete"}}]}""",
        """{"rules":[{"rulePriority":1,"description":"where to","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"transition"}}]}""",
        $$"""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}},{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}},{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":5},{{AnyExpire}}}]}""",
        // Archived images are kept at least 90 days (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html).
        $$"""{"rules":[{"rulePriority":1,"description":"a day in archive","selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":1},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"description":"89 days in archive","selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":89},{{AnyExpire}}}]}""",
        $$"""{"rules":[{"rulePriority":1,"description":"archived, counted","selection":{"tagStatus":"any","storageClass":"archive","countType":"imageCountMoreThan","countNumber":5},{{AnyExpire}}}]}""",
    ];

    [Theory]
    [MemberData(nameof(ValidRepositoryPolicies))]
    public async Task A_valid_repository_policy_is_kept(string policy)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = await RepositoryAsync(server);

        (await client.CallAsync("SetRepositoryPolicy", new JsonObject { ["repositoryName"] = "app", ["policyText"] = policy })).EnsureOk();

        Assert.Equal(policy, (await client.CallAsync("GetRepositoryPolicy", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json["policyText"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(InvalidRepositoryPolicies))]
    public async Task An_invalid_repository_policy_is_refused_and_not_kept(string policy)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = await RepositoryAsync(server);

        var refused = await client.CallAsync("SetRepositoryPolicy", new JsonObject { ["repositoryName"] = "app", ["policyText"] = policy });

        refused.AssertError("InvalidParameterException");
        Assert.Equal("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'", refused.Json["message"]!.GetValue<string>());
        (await client.CallAsync("GetRepositoryPolicy", new JsonObject { ["repositoryName"] = "app" })).AssertError("RepositoryPolicyNotFoundException");
    }

    // Each denies ecr:SetRepositoryPolicy to someone: by name, by a wildcard, by "*", or by a NotAction that leaves it out.
    public static TheoryData<string> LockOutPolicies() =>
    [
        """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:SetRepositoryPolicy"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"},{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:role/ci"},"Action":["ecr:Set*"]}]}""",
        """{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"ECR:*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"123456789012"}}}}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*"}]}""",
        """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","NotAction":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}""",
    ];

    /// <summary>
    /// The botocore model's SetRepositoryPolicy <c>force</c>: a policy that "would prevent you from setting another policy
    /// in the future" must be forced. How ECR decides that is not documented, so LocalEcr counts every Deny that covers
    /// ecr:SetRepositoryPolicy (the strictest reading; docs/fidelity.md).
    /// </summary>
    [Theory]
    [MemberData(nameof(LockOutPolicies))]
    public async Task A_policy_that_may_lock_out_policy_changes_is_refused_unless_forced(string policy)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = await RepositoryAsync(server);

        var refused = await client.CallAsync("SetRepositoryPolicy", new JsonObject { ["repositoryName"] = "app", ["policyText"] = policy });
        refused.AssertError("InvalidParameterException");
        Assert.Contains("force", refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (await client.CallAsync("GetRepositoryPolicy", new JsonObject { ["repositoryName"] = "app" })).AssertError("RepositoryPolicyNotFoundException");

        (await client.CallAsync("SetRepositoryPolicy", new JsonObject { ["repositoryName"] = "app", ["policyText"] = policy, ["force"] = true })).EnsureOk();
        Assert.Equal(policy, (await client.CallAsync("GetRepositoryPolicy", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json["policyText"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(ValidLifecyclePolicies))]
    public async Task A_valid_lifecycle_policy_is_kept(string policy)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = await RepositoryAsync(server);

        (await client.CallAsync("PutLifecyclePolicy", new JsonObject { ["repositoryName"] = "app", ["lifecyclePolicyText"] = policy })).EnsureOk();

        Assert.Equal(policy, (await client.CallAsync("GetLifecyclePolicy", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json["lifecyclePolicyText"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(InvalidLifecyclePolicies))]
    public async Task An_invalid_lifecycle_policy_is_refused_and_not_kept(string policy)
    {
        Assert.True(policy.Length >= 100, $"{policy.Length} characters: the model's minimum would refuse it first");
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = await RepositoryAsync(server);

        var refused = await client.CallAsync("PutLifecyclePolicy", new JsonObject { ["repositoryName"] = "app", ["lifecyclePolicyText"] = policy });

        refused.AssertError("InvalidParameterException");
        Assert.StartsWith("Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ", refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (await client.CallAsync("GetLifecyclePolicy", new JsonObject { ["repositoryName"] = "app" })).AssertError("LifecyclePolicyNotFoundException");
    }

    private static async Task<EcrTestClient> RepositoryAsync(LocalEcrServer server)
    {
        var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        return client;
    }
}
