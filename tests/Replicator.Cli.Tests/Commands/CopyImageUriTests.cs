using Replicator.Cli.Tests.Support;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// copy given an image URI, as docker, crane and skopeo take one: the registry host names the source registry
/// (LocalEcr's caller account 000000000000 in us-east-1), whatever its partition's DNS suffix or its FIPS and
/// dual-stack forms; a URI naming another registry is refused by name. Before, the host was read as part of the
/// repository name and copy said the repository did not exist.
/// </summary>
public sealed class CopyImageUriTests
{
    [Theory]
    [InlineData("000000000000.dkr.ecr.us-east-1.amazonaws.com")]
    [InlineData("000000000000.dkr.ecr-fips.us-east-1.amazonaws.com")]
    [InlineData("000000000000.dkr-ecr.us-east-1.on.aws")]
    [InlineData("000000000000.dkr-ecr-fips.us-east-1.on.aws")]
    [InlineData("000000000000.DKR.ECR.US-EAST-1.AMAZONAWS.COM")]
    public async Task A_uri_of_the_source_registry_copies_the_image(string host)
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Single(301);
        await h.PushAsync(CliHarness.Source, "team/app", image, "1.0");

        var run = await h.RunAsync("copy", $"{host}/team/app:1.0", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.West, "team/app", "1.0"));
    }

    [Fact]
    public async Task A_uri_by_digest_copies_the_image_and_its_region_is_the_source_region_when_none_is_given()
    {
        await using var h = await CliHarness.StartAsync();
        var image = CliHarness.Single(302);
        await h.PushAsync(CliHarness.Source, "team/app", image, "1.0");

        // No --source-region, and AWS_REGION names another region: the URI is the more specific of the two.
        var run = await h.RunWithAsync(
            h.Environment(("AWS_REGION", CliHarness.Europe)),
            null,
            "copy",
            $"000000000000.dkr.ecr.us-east-1.amazonaws.com/team/app@{image.Digest}",
            "--destination-region",
            CliHarness.West);

        Assert.True(run.ExitCode == 0, run.ToString());
        var described = await h.Client(CliHarness.West).DescribeImagesAsync(new() { RepositoryName = "team/app", ImageIds = [new() { ImageDigest = image.Digest }] });
        Assert.Equal(image.Digest, Assert.Single(described.ImageDetails!).ImageDigest);
    }

    [Fact]
    public async Task A_uri_of_another_region_than_source_region_is_refused_by_name()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(303), "1.0");

        var run = await h.RunAsync("copy", "000000000000.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("image '000000000000.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0' is in the registry of eu-west-1, not of --source-region us-east-1: give its region as --source-region, or leave that out");
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Theory]
    [InlineData("team/app:1.0")]
    [InlineData("team/other:1.0")]
    public async Task A_uri_of_another_account_is_refused_by_name_and_nothing_is_copied(string reference)
    {
        // team/app exists in the caller's registry with the same tag: copying it would copy another image than the
        // URI names. team/other exists, without that tag.
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "team/app", CliHarness.Single(304), "1.0");
        await h.PushAsync(CliHarness.Source, "team/other", CliHarness.Single(305), "2.0");

        var run = await h.RunAsync("copy", $"111111111111.dkr.ecr.us-east-1.amazonaws.com/{reference}", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"image '111111111111.dkr.ecr.us-east-1.amazonaws.com/{reference}' is in account 111111111111's registry, but the source registry in us-east-1 is account 000000000000's (the credentials in use): copy reads only that one; use credentials of account 111111111111");
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task A_registry_host_with_a_port_is_refused_as_not_an_ecr_registry()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("copy", "registry.example.com:5000/team/app:1.0", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("image 'registry.example.com:5000/team/app:1.0' names the registry 'registry.example.com:5000', which is not an Amazon ECR private registry");
    }

    [Fact]
    public async Task A_missing_image_whose_first_component_looks_like_a_host_says_how_it_was_read()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("copy", "ghcr.io/org/app:1.0", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("ghcr.io/org/app:1.0 does not exist in us-east-1 (read as a repository name");
    }
}
