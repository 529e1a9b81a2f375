namespace Databacker.Api.Governance;

/// <summary>Which way a document travels; some changes break only one way.</summary>
internal enum MessageDirection
{
    /// <summary>Sent by the client: the server must keep accepting what older clients send.</summary>
    Request,

    /// <summary>Sent by the server: older clients must keep understanding it.</summary>
    Response,
}
