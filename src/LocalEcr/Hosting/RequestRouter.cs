using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace LocalEcr.Hosting;

/// <summary>The single request delegate: blob downloads, the admin endpoint, STS (form-encoded), or the ECR API.</summary>
internal static class RequestRouter
{
    public static Task RouteAsync(HttpContext context, ServerContext server)
    {
        // Every answer is dated on the server's clock (LocalEcrOptions.TimeProvider), the clock signatures are checked
        // on, as AWS dates its answers on the clock it checks with: a client corrects its clock skew from this header
        // (the AWS SDKs read Date on a "Signature expired" refusal). Kestrel's own Date comes from the real clock;
        // it is set before the request runs, so this one replaces it. IMF-fixdate, RFC 9110 section 5.6.7.
        context.Response.Headers.Date = server.Time.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(BlobEndpoint.Prefix, StringComparison.Ordinal))
        {
            return BlobEndpoint.HandleAsync(context, server);
        }

        if (path.StartsWith(AdminEndpoint.Prefix, StringComparison.Ordinal))
        {
            return AdminEndpoint.HandleAsync(context, server);
        }

        if (HttpMethods.IsPost(context.Request.Method) && path == "/" && StsEndpoint.Accepts(context.Request))
        {
            return StsEndpoint.HandleAsync(context, server);
        }

        if (HttpMethods.IsPost(context.Request.Method) && path == "/")
        {
            return EcrEndpoint.HandleAsync(context, server);
        }

        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    }
}
