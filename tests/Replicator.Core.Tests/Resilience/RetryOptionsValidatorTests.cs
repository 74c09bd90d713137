using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Runtime.CompilerServices;
using Polly;
using Polly.Retry;
using Replicator.Core.Resilience;

namespace Replicator.Core.Tests.Resilience;

/// <summary>
/// <see cref="RetryOptionsValidator"/> stands in for Polly's reflection over the retry options: it must take on this
/// Polly.Core, and check exactly what Polly's attributes declare, no less.
/// </summary>
public sealed class RetryOptionsValidatorTests
{
    [Fact]
    public void It_replaces_the_builders_check_on_this_Polly_version()
    {
        var builder = new ResiliencePipelineBuilder();
        var before = RetryOptionsValidator.GetValidator(builder);

        Assert.True(RetryOptionsValidator.TryUse(builder, new RetryStrategyOptions()));

        var after = RetryOptionsValidator.GetValidator(builder);
        Assert.NotSame(before, after);
        Assert.IsType<Action<object>>(after);
    }

    /// <summary>
    /// The properties Polly.Core declares DataAnnotations constraints on, on the options and on the builder (which Polly
    /// checks too), and the attributes: a new one in a later Polly fails here before the stand-in would skip it.
    /// </summary>
    [Fact]
    public void The_constraints_checked_are_every_one_Polly_declares()
    {
        Assert.Equal(
            [
                "Delay: RangeAttribute",
                "MaxDelay: RangeAttribute",
                "MaxRetryAttempts: RangeAttribute",
                "Randomizer: RequiredAttribute",
                "ShouldHandle: RequiredAttribute",
            ],
            Constraints(typeof(RetryStrategyOptions)));
        Assert.Empty(Constraints(typeof(ResiliencePipelineBuilder)));
        Assert.False(typeof(IValidatableObject).IsAssignableFrom(typeof(RetryStrategyOptions)));
        Assert.False(typeof(IValidatableObject).IsAssignableFrom(typeof(ResiliencePipelineBuilder)));
        Assert.Empty(typeof(RetryStrategyOptions).GetCustomAttributes<ValidationAttribute>(inherit: true));
    }

    public static TheoryData<string> Cases() =>
    [
        "valid",
        "MaxRetryAttempts=0",
        "MaxRetryAttempts=-1",
        "MaxRetryAttempts=max",
        "Delay=-1ms",
        "Delay=0",
        "Delay=1d",
        "Delay=1d+1tick",
        "MaxDelay=-1ms",
        "MaxDelay=1d",
        "MaxDelay=2d",
        "ShouldHandle=null",
        "Randomizer=null",
        "MaxRetryAttempts=0,Randomizer=null",
    ];

    /// <summary>Each case is accepted or refused as Polly's own DataAnnotations check accepts or refuses it.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void It_refuses_what_Pollys_check_refuses(string change)
    {
        var options = Options(change);
        var pollyAccepts = Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true);

        var refusal = Record.Exception(() => RetryOptionsValidator.ThrowIfInvalid(options));

        Assert.Equal(pollyAccepts, refusal is null);
        if (refusal is not null)
        {
            Assert.IsType<ValidationException>(refusal);
        }
    }

    /// <summary>Through the builder, as <see cref="EcrCallRunner"/> builds it: invalid options are still refused.</summary>
    [Fact]
    public void The_builder_still_refuses_invalid_options()
    {
        var options = new RetryStrategyOptions { MaxRetryAttempts = 0 };
        var builder = new ResiliencePipelineBuilder();
        Assert.True(RetryOptionsValidator.TryUse(builder, options));

        var refusal = Assert.Throws<ValidationException>(() => builder.AddRetry(options));
        Assert.Contains("MaxRetryAttempts", refusal.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A later Polly.Core without the accessor's target: a renamed property is a MissingMethodException, a renamed or
    /// moved validation context type a TypeLoadException (both from the runtime, under the JIT and Native AOT alike).
    /// Either leaves the builder with Polly's own check, as the remarks promise, instead of failing every pipeline built
    /// (the function's init, every CLI command).
    /// </summary>
    [Fact]
    public void A_validator_property_this_Polly_lacks_leaves_Pollys_own_check()
    {
        var builder = new ResiliencePipelineBuilder();
        var before = RetryOptionsValidator.GetValidator(builder);

        Assert.False(RetryOptionsValidator.TryUseWith(builder, new RetryStrategyOptions(), static (b, check) => SetRenamedValidator(b, check)));

        Assert.Same(before, RetryOptionsValidator.GetValidator(builder));
    }

    [Fact]
    public void A_validation_context_type_this_Polly_lacks_leaves_Pollys_own_check()
    {
        var builder = new ResiliencePipelineBuilder();
        var before = RetryOptionsValidator.GetValidator(builder);

        Assert.False(RetryOptionsValidator.TryUseWith(builder, new RetryStrategyOptions(), static (b, check) => SetValidatorOfRenamedContext(b, check)));

        Assert.Same(before, RetryOptionsValidator.GetValidator(builder));
        Assert.Throws<ValidationException>(() => builder.AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 0 }));
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_RenamedValidator")]
    private static extern void SetRenamedValidator(
        ResiliencePipelineBuilderBase builder,
        [UnsafeAccessorType("System.Action`1[[Polly.ResilienceValidationContext, Polly.Core]]")] object validator);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_Validator")]
    private static extern void SetValidatorOfRenamedContext(
        ResiliencePipelineBuilderBase builder,
        [UnsafeAccessorType("System.Action`1[[Polly.RenamedValidationContext, Polly.Core]]")] object validator);

    private static List<string> Constraints(Type type) =>
    [
        .. type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .SelectMany(p => p.GetCustomAttributes<ValidationAttribute>(inherit: true).Select(a => $"{p.Name}: {a.GetType().Name}"))
            .Order(StringComparer.Ordinal),
    ];

    private static RetryStrategyOptions Options(string change)
    {
        var options = new RetryStrategyOptions();
        foreach (var part in change.Split(','))
        {
            switch (part)
            {
                case "valid": break;
                case "MaxRetryAttempts=0": options.MaxRetryAttempts = 0; break;
                case "MaxRetryAttempts=-1": options.MaxRetryAttempts = -1; break;
                case "MaxRetryAttempts=max": options.MaxRetryAttempts = int.MaxValue; break;
                case "Delay=-1ms": options.Delay = TimeSpan.FromMilliseconds(-1); break;
                case "Delay=0": options.Delay = TimeSpan.Zero; break;
                case "Delay=1d": options.Delay = TimeSpan.FromDays(1); break;
                case "Delay=1d+1tick": options.Delay = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1); break;
                case "MaxDelay=-1ms": options.MaxDelay = TimeSpan.FromMilliseconds(-1); break;
                case "MaxDelay=1d": options.MaxDelay = TimeSpan.FromDays(1); break;
                case "MaxDelay=2d": options.MaxDelay = TimeSpan.FromDays(2); break;
                case "ShouldHandle=null": options.ShouldHandle = null!; break;
                case "Randomizer=null": options.Randomizer = null!; break;
                default: throw new ArgumentOutOfRangeException(nameof(change), change, "unknown case");
            }
        }

        return options;
    }
}
