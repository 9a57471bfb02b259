package dev.projections.pipelinecli;

import dev.projections.eventwriter.access.ApiKeys;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "api-key", mixinStandardHelpOptions = true,
        description = "Make a new API key for the writer: print the key, to give to its client, and the line to add to the API keys file.")
final class ApiKeyCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "The key's name, recorded as user_id in each event it appends")
    String name;

    @Option(names = "--scope", required = true, split = ",",
            description = "What the key may do: events:append:<type>, events:read:<type>, projections:read:<type> (<type> an aggregate type or *);"
                    + " repeat or separate with commas")
    List<String> scopes;

    @Override
    public Integer call() {
        String key = ApiKeys.newKey();
        String line;
        try {
            line = ApiKeys.line(name, key, scopes);
        } catch (IllegalArgumentException e) {
            System.err.println("api-key: " + e.getMessage());
            return 2;
        }
        System.out.println("key (give it to the client as 'Authorization: ApiKey <key>'; it is shown only now):");
        System.out.println(key);
        System.out.println("line for the API keys file (PIPELINE_API_KEYS_FILE); the writer reads it within a second:");
        System.out.println(line);
        return 0;
    }
}
