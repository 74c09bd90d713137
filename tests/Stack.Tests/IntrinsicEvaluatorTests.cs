using System.Text.Json.Nodes;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>The IAM and wiring tests trust this evaluator, so it is checked on its own.</summary>
public sealed class IntrinsicEvaluatorTests
{
    private static readonly JsonObject Template = JsonNode.Parse("""
        {
          "Parameters": {
            "Names": { "Type": "CommaDelimitedList" },
            "Flag": { "Type": "String", "Default": "false" }
          },
          "Conditions": { "FlagOn": { "Fn::Equals": [ { "Ref": "Flag" }, "true" ] },
                          "FlagOff": { "Fn::Not": [ { "Condition": "FlagOn" } ] } },
          "Resources": { "Queue": { "Type": "AWS::SQS::Queue" } }
        }
        """)!.AsObject();

    private static JsonNode? Evaluate(string json, string flag = "false") =>
        new IntrinsicEvaluator(Template, new Dictionary<string, string> { ["Names"] = "a/b, c", ["Flag"] = flag })
            .Evaluate(JsonNode.Parse(json));

    [Fact]
    public void Split_and_join_prefix_every_element_of_a_list_parameter()
    {
        var result = Evaluate("""
            { "Fn::Split": [ ",", { "Fn::Join": [ "", [ "arn:x/", { "Fn::Join": [ ",arn:x/", { "Ref": "Names" } ] } ] ] } ] }
            """);

        Assert.Equal(["arn:x/a/b", "arn:x/c"], Samples.Strings(result));
    }

    [Fact]
    public void Sub_resolves_pseudo_parameters_variables_attributes_and_escapes()
    {
        var result = Evaluate("""
            { "Fn::Sub": [ "${AWS::Partition}:${AWS::AccountId}:${Queue}:${Queue.Arn}:${V}:${!Literal}", { "V": { "Ref": "Flag" } } ] }
            """);

        Assert.Equal("aws:123456789012:{Ref:Queue}:{GetAtt:Queue.Arn}:false:${Literal}", (string)result!);
    }

    [Theory]
    [InlineData("true", "[\"on\"]")]
    [InlineData("false", "[]")]
    public void If_and_NoValue_follow_the_conditions(string flag, string expected)
    {
        var result = Evaluate("""
            { "Items": [ { "Fn::If": [ "FlagOn", "on", { "Ref": "AWS::NoValue" } ] },
                         { "Fn::If": [ "FlagOff", { "Ref": "AWS::NoValue" }, { "Ref": "AWS::NoValue" } ] } ] }
            """, flag);

        Assert.Equal(expected, result!["Items"]!.ToJsonString());
    }

    [Fact]
    public void Split_keeps_empty_strings_and_takes_a_delimiter_of_several_characters()
    {
        // The Fn::Split reference's own example: "a||c|" split at '|' is ["a", "", "c", ""].
        Assert.Equal(["a", "", "c", ""], Samples.Strings(Evaluate("""{ "Fn::Split": [ "|", "a||c|" ] }""")));
        Assert.Equal(["", "x", ""], Samples.Strings(Evaluate("""{ "Fn::Split": [ "@!", "@!x@!" ] }""")));
    }

    [Fact]
    public void Select_past_the_end_fails_even_where_the_result_is_not_needed()
    {
        // CloudFormation fails the stack on an out-of-range Fn::Select; the evaluator fails in both branches of a
        // Fn::If and in every operand of a Fn::And, so a template that only works for some values is caught.
        const string Past = """{ "Fn::Select": [ 2, { "Fn::Split": [ ",", "a,b" ] } ] }""";
        Assert.Equal("b", (string)Evaluate("""{ "Fn::Select": [ 1, { "Fn::Split": [ ",", "a,b" ] } ] }""")!);
        Assert.Throws<InvalidOperationException>(() => Evaluate(Past));
        Assert.Throws<InvalidOperationException>(() => Evaluate($$"""{ "Fn::If": [ "FlagOn", {{Past}}, "off" ] }"""));
        Assert.Throws<InvalidOperationException>(() => Evaluate(
            $$"""{ "Fn::And": [ { "Fn::Equals": [ "x", "y" ] }, { "Fn::Equals": [ {{Past}}, "" ] } ] }"""));
    }

    [Fact]
    public void A_placeholder_copy_of_a_ForEach_over_an_empty_list_selects_the_empty_identifier_and_nothing_else_does()
    {
        var evaluator = new IntrinsicEvaluator(Template, new Dictionary<string, string> { ["Names"] = "", ["Flag"] = "false" });

        // cfn-lint's placeholder for a Fn::ForEach over an empty list: CloudFormation's one copy has the identifier "".
        Assert.Equal("", (string)evaluator.Evaluate(JsonNode.Parse("""{ "Fn::Select": [ 1, { "Ref": "Names" } ] }"""))!);

        // The same index past the end of any other list, an empty one included, fails as CloudFormation would.
        Assert.Throws<InvalidOperationException>(() => evaluator.Evaluate(JsonNode.Parse("""{ "Fn::Select": [ 1, { "Fn::Split": [ "=", { "Fn::Select": [ 0, { "Ref": "Names" } ] } ] } ] }""")));
        Assert.Throws<InvalidOperationException>(() => Evaluate("""{ "Fn::Select": [ 2, { "Ref": "Names" } ] }"""));
    }

    [Fact]
    public void Unknown_references_fail_loudly()
    {
        Assert.Throws<KeyNotFoundException>(() => Evaluate("""{ "Ref": "Missing" }"""));
        Assert.Throws<NotSupportedException>(() => Evaluate("""{ "Fn::Base64": "x" }"""));
    }
}
