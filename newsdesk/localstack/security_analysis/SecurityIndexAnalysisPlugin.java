package newsdesk.analysis;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * The analysis the security index's mapping names (an "email" analyzer: the uax_url_email tokenizer, then
 * pattern_capture, lowercase and unique filters), which the minimal distribution the local stack runs leaves
 * out with its analysis-common module. Without it the security API cannot store a role or a user. Lucene's
 * own tokenizer and filters stand in; a full distribution has the real ones and needs none of this.
 */
public class SecurityIndexAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "pattern_capture", (indexSettings, env, name, settings) -> {
                List<String> patterns = settings.getAsList("patterns");
                boolean preserve = settings.getAsBoolean("preserve_original", true);
                Pattern[] compiled = patterns.stream().map(Pattern::compile).toArray(Pattern[]::new);
                return new AbstractTokenFilterFactory(name) {
                    @Override
                    public TokenStream create(TokenStream stream) {
                        return new PatternCaptureGroupTokenFilter(stream, preserve, compiled);
                    }
                };
            },
            "unique", (indexSettings, env, name, settings) -> new AbstractTokenFilterFactory(name) {
                @Override
                public TokenStream create(TokenStream stream) {
                    return new RemoveDuplicatesTokenFilter(stream);
                }
            },
            "lowercase", (indexSettings, env, name, settings) -> new AbstractTokenFilterFactory(name) {
                @Override
                public TokenStream create(TokenStream stream) {
                    return new LowerCaseFilter(stream);
                }
            }
        );
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("uax_url_email", (indexSettings, env, name, settings) -> new AbstractTokenizerFactory(name) {
            @Override
            public Tokenizer create() {
                return new UAX29URLEmailTokenizer();
            }
        });
    }
}
