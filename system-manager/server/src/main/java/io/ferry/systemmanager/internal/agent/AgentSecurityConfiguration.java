package io.ferry.systemmanager.internal.agent;

import io.ferry.orchestrator.AgentChannel;
import io.ferry.systemmanager.internal.audit.AuditEventRepository;
import io.ferry.systemmanager.internal.audit.AuditFilter;
import io.ferry.systemmanager.internal.security.SecurityProblemHandlers;
import io.ferry.systemmanager.internal.web.Problems;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextHolderFilter;

/**
 * The agent endpoints' own security filter chain, ahead of the users' one: {@code /api/v1/agent/**}
 * accepts only a job token ({@link AgentTokenFilter}); a browser session is not even read and a
 * user's API token is refused. The users' chain in turn knows nothing of job tokens, so a job token
 * reaches nothing else. Mutating requests are audited as {@code agent:<job>} in the job's tenant.
 */
@Configuration(proxyBeanMethods = false)
public class AgentSecurityConfiguration {

  /** The path prefix of the agent endpoints. */
  public static final String PATHS = "/api/v1/agent/**";

  @Bean
  @Order(1)
  SecurityFilterChain agentApi(HttpSecurity http, AgentChannel channel, AuditEventRepository auditEvents, Clock clock,
      Problems problems) throws Exception {
    SecurityProblemHandlers handlers = new SecurityProblemHandlers(problems);
    http.securityMatcher(PATHS)
        .securityContext(context -> context.securityContextRepository(new RequestAttributeSecurityContextRepository()))
        .sessionManagement(session -> session.disable())
        .csrf(csrf -> csrf.disable())
        .httpBasic(basic -> basic.disable())
        .formLogin(form -> form.disable())
        .logout(logout -> logout.disable())
        .requestCache(cache -> cache.disable())
        .anonymous(anonymous -> anonymous.disable())
        .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(handlers).accessDeniedHandler(handlers))
        .addFilterAfter(new AgentTokenFilter(channel), SecurityContextHolderFilter.class)
        .addFilterAfter(new AuditFilter(auditEvents, clock), AgentTokenFilter.class)
        .authorizeHttpRequests(requests -> requests.anyRequest().hasAuthority(AgentAuthentication.ROLE));
    return http.build();
  }
}
