using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Runtime.CompilerServices;
using Polly;
using Polly.Retry;

namespace Replicator.Core.Resilience;

/// <summary>
/// Checks the one <see cref="RetryStrategyOptions"/> <see cref="EcrCallRunner"/> builds against the constraints Polly.Core
/// declares on it (its DataAnnotations attributes), without reflection, and stands in for Polly's own check while the
/// pipeline is built.
/// </summary>
/// <remarks>
/// <para>
/// <c>ResiliencePipelineBuilderBase</c> runs every strategy's options, and then the builder, through DataAnnotations'
/// <c>Validator.TryValidateObject</c>, which reads the options type's properties and their attributes by reflection
/// (<c>TypeDescriptor</c>). The first time in a Native AOT process that costs about a tenth of the function's time on a
/// CPU before its first GET next (docs/performance.md, "where the cold start goes"), for options whose values this
/// program sets itself. The builder keeps the check in an internal property (<c>Validator</c>, set by Polly's own
/// packages); <see cref="TryUse"/> sets it through <see cref="UnsafeAccessorAttribute"/>, which Native AOT compiles to a
/// direct call (https://learn.microsoft.com/dotnet/api/system.runtime.compilerservices.unsafeaccessorattribute), naming
/// the internal delegate type with <see cref="UnsafeAccessorTypeAttribute"/>
/// (https://learn.microsoft.com/dotnet/api/system.runtime.compilerservices.unsafeaccessortypeattribute). The delegate
/// given is an <c>Action&lt;object&gt;</c>, which <c>Action&lt;in T&gt;</c>'s contravariance lets stand for Polly's
/// <c>Action&lt;ResilienceValidationContext&gt;</c>
/// (https://learn.microsoft.com/dotnet/standard/generics/covariance-and-contravariance).
/// </para>
/// <para>
/// Should a later Polly.Core rename the property, the accessor throws <see cref="MissingMethodException"/>, or
/// <see cref="TypeLoadException"/> should it rename or move the context type, and the builder keeps Polly's own check:
/// slower, never less checked. The tests pin both that the accessor finds it and that the
/// attributes checked here are every one Polly.Core declares on the options and the builder.
/// </para>
/// </remarks>
internal static class RetryOptionsValidator
{
    /// <summary>The upper bound of <see cref="RetryStrategyOptions{TResult}.Delay"/> and <c>MaxDelay</c>: Polly's <c>[Range]</c>.</summary>
    internal static readonly TimeSpan MaxDelayBound = TimeSpan.FromDays(1);

    /// <summary>
    /// Makes <paramref name="builder"/> check its options with <see cref="ThrowIfInvalid"/> on <paramref name="options"/>,
    /// the only strategy options it will be given, instead of by reflection. False when this Polly.Core has no such
    /// property, or no such context type (the builder then keeps its own check).
    /// </summary>
    public static bool TryUse(ResiliencePipelineBuilderBase builder, RetryStrategyOptions options) =>
        TryUseWith(builder, options, static (b, check) => SetValidator(b, check));

    /// <summary>As <see cref="TryUse"/>, setting the check with <paramref name="setValidator"/>: for the tests, an accessor whose target this Polly.Core lacks.</summary>
    internal static bool TryUseWith(ResiliencePipelineBuilderBase builder, RetryStrategyOptions options, Action<ResiliencePipelineBuilderBase, object> setValidator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(setValidator);

        // Polly calls it with the options, and then with the builder, whose own properties carry no constraint.
        Action<object> check = _ => ThrowIfInvalid(options);
        try
        {
            setValidator(builder, check);
            return true;
        }
        catch (Exception ex) when (ex is MissingMemberException or TypeLoadException)
        {
            // MissingMethodException: no set_Validator of that signature. TypeLoadException: the delegate type named
            // with UnsafeAccessorType cannot be resolved (a renamed or moved ResilienceValidationContext), which the
            // runtime throws at the call, under the JIT and Native AOT alike, and which would otherwise fail every
            // pipeline built (the function's init) rather than leave Polly's own check.
            return false;
        }
    }

    /// <summary>
    /// Throws <see cref="ValidationException"/>, as Polly's check does, when the options break one of the constraints
    /// Polly.Core 8 declares on them: <c>MaxRetryAttempts</c> in [1, int.MaxValue], <c>Delay</c> and <c>MaxDelay</c> (when
    /// set) in [0, 1 day], <c>ShouldHandle</c> and <c>Randomizer</c> set.
    /// </summary>
    public static void ThrowIfInvalid(RetryStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxRetryAttempts < 1)
        {
            errors.Add($"The field MaxRetryAttempts must be between 1 and {int.MaxValue.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (options.Delay < TimeSpan.Zero || options.Delay > MaxDelayBound)
        {
            errors.Add("The field Delay must be between 00:00:00 and 1.00:00:00.");
        }

        if (options.MaxDelay is { } maxDelay && (maxDelay < TimeSpan.Zero || maxDelay > MaxDelayBound))
        {
            errors.Add("The field MaxDelay must be between 00:00:00 and 1.00:00:00.");
        }

        if (options.ShouldHandle is null)
        {
            errors.Add("The ShouldHandle field is required.");
        }

        if (options.Randomizer is null)
        {
            errors.Add("The Randomizer field is required.");
        }

        if (errors.Count > 0)
        {
            throw new ValidationException($"The '{nameof(RetryStrategyOptions)}' are invalid.{Environment.NewLine}{Environment.NewLine}Validation Errors:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_Validator")]
    private static extern void SetValidator(
        ResiliencePipelineBuilderBase builder,
        [UnsafeAccessorType("System.Action`1[[Polly.ResilienceValidationContext, Polly.Core]]")] object validator);

    /// <summary>The builder's check now, for the tests: whether <see cref="TryUse"/> took.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_Validator")]
    [return: UnsafeAccessorType("System.Action`1[[Polly.ResilienceValidationContext, Polly.Core]]")]
    internal static extern object GetValidator(ResiliencePipelineBuilderBase builder);
}
