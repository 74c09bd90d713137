using System.Net;
using System.Reflection;
using Replicator.Core.Ecr;
using Replicator.Core.Resilience;
using Replicator.Testing;

namespace Replicator.Core.Tests.Resilience;

public sealed class RetryingEcrClientTests
{
    /// <summary>
    /// Every operation of the client goes through the retry policy, and each retry is reported under the operation that
    /// failed: the report is what the function's WARN line and the CLI's retry note name, so a retried
    /// ListImageReferrers must not read as ListImages. Every Task-returning member of <see cref="IEcrClient"/> is called
    /// once through the decorator over a client that throttles each operation's first call.
    /// </summary>
    [Fact]
    public async Task Every_operation_is_retried_and_reported_under_its_own_name()
    {
        var operations = typeof(IEcrClient).GetMethods()
            .Where(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
            .ToList();
        var reports = new List<EcrRetry>();
        var settings = new RetrySettings { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(1), ThrottlingBaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(1) };
        var client = new RetryingEcrClient(DispatchProxy.Create<IEcrClient, ThrottlesEachOperationOnce>(), new EcrCallRunner(settings, new WaitsElapseAtOnceClock(), () => 0.5, reports.Add), "us-west-2");

        foreach (var operation in operations)
        {
            var request = Activator.CreateInstance(operation.GetParameters()[0].ParameterType);
            await (Task)operation.Invoke(client, [request, CancellationToken.None])!;
        }

        Assert.True(operations.Count > 20, $"{operations.Count} operations found");
        Assert.Equal(operations.Select(m => m.Name[..^"Async".Length]), reports.Select(r => r.Operation));
        Assert.All(reports, r => Assert.Equal(("us-west-2", 1, "ThrottlingException"), (r.Target, r.Retry, r.ErrorCode)));
    }

    /// <summary>An ECR client whose every operation is throttled on its first call and answers an empty response on the next.</summary>
    public class ThrottlesEachOperationOnce : DispatchProxy
    {
        private static readonly MethodInfo FromResult = typeof(Task).GetMethod(nameof(Task.FromResult))!;
        private static readonly MethodInfo FromException = typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod);
        private readonly HashSet<string> _throttled = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var response = targetMethod.ReturnType.GetGenericArguments()[0];
            return _throttled.Add(targetMethod.Name)
                ? FromException.MakeGenericMethod(response).Invoke(null, [new EcrException("ThrottlingException", "Rate exceeded", HttpStatusCode.BadRequest)])
                : FromResult.MakeGenericMethod(response).Invoke(null, [Activator.CreateInstance(response)]);
        }
    }
}
