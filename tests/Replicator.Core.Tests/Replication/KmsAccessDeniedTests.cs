using System.Net;
using System.Text;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// A destination repository of a KMS-encrypted source is created with the configured key, and ECR asks KMS for a grant
/// on the caller's behalf (kms:CreateGrant, kms:DescribeKey: https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html).
/// The stack adds that grant in the same update that first sets DestinationKmsKeys (template.yaml, HasDestinationKmsKeys),
/// in parallel with the function, and IAM is eventually consistent: KMS's refusal, which ECR reports as a KmsException whose
/// kmsError is KMS's code ("The error code returned by KMS", botocore ECR model), is marked as an access denial so the
/// function gives it the grace it gives ECR's own AccessDeniedException. Any other KMS refusal is not.
/// </summary>
public sealed class KmsAccessDeniedTests
{
    private const string Key = "arn:aws:kms:us-west-2:000000000000:key/abcdabcd-abcd-4bcd-8bcd-abcdabcdabcd";

    [Theory]
    [InlineData("AccessDeniedException", true)]
    [InlineData("KMS.AccessDeniedException", true)]
    [InlineData("DisabledException", false)]
    [InlineData("NotFoundException", false)]
    public async Task A_KMS_access_denial_at_CreateRepository_is_marked_as_an_access_denial(string kmsError, bool denied)
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        await h.Client(Source).CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = "kms",
            EncryptionConfiguration = new EncryptionConfiguration { EncryptionType = EncryptionType.Kms, KmsKey = "arn:aws:kms:us-east-1:000000000000:key/12341234-1234-4234-8234-123412341234" },
        });
        var image = new SampleImageBuilder(seed: 881).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "kms", image, "v1");
        hook!.Arm("CreateRepository", Key, () => BeforeRequestHandler.Answer($$"""{"__type":"KmsException","message":"User is not authorized to perform: kms:CreateGrant","kmsError":"{{kmsError}}"}""", HttpStatusCode.BadRequest));

        var result = await h.Replicator(FastOptions with { KmsKeyIds = new Dictionary<string, string> { [West] = Key } })
            .ReplicateAsync(Request("kms", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(EcrErrorCodes.KmsException, west.ErrorCode);
        Assert.False(west.Transient);
        Assert.Equal(denied, west.KmsAccessDenied);
    }
}
