namespace LocalLambdaHost;

public enum LocalInvocationStatus
{
    Response,
    InvocationError,
    InitError,
}
