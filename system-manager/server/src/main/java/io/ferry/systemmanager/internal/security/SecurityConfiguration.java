package io.ferry.systemmanager.internal.security;

import io.ferry.systemmanager.internal.FerryProperties;
import io.ferry.systemmanager.internal.audit.AuditEventRepository;
import io.ferry.systemmanager.internal.audit.AuditFilter;
import io.ferry.systemmanager.internal.tenant.AppUserRepository;
import io.ferry.systemmanager.internal.web.BodySizeLimitFilter;
import io.ferry.systemmanager.internal.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.Set;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;

/**
 * Who may call what. Browsers sign in with {@code POST /api/v1/auth/login} and keep a session
 * cookie; their mutating requests must echo the {@code XSRF-TOKEN} cookie in the {@code
 * X-XSRF-TOKEN} header. CI pipelines send {@code Authorization: Bearer ferry_...} and need no CSRF
 * token. Roles: viewers read, operators also run migrations and refresh catalogues, admins also
 * manage users and cloud accounts. Which tenant's data a caller sees is decided in {@link
 * io.ferry.systemmanager.internal.tenant.TenantScope}.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfiguration {

  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  PasswordEncoder passwordEncoder() {
    return new BCryptPasswordEncoder();
  }

  @Bean
  SecurityContextRepository securityContextRepository() {
    return new HttpSessionSecurityContextRepository();
  }

  @Bean
  FilterRegistrationBean<BodySizeLimitFilter> bodySizeLimitFilter(FerryProperties properties, Problems problems) {
    FilterRegistrationBean<BodySizeLimitFilter> registration =
        new FilterRegistrationBean<>(new BodySizeLimitFilter(properties.api().maxBodyBytes(), problems));
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    registration.addUrlPatterns("/api/*");
    return registration;
  }

  /**
   * CSRF matters only for requests a browser authenticates by its session cookie: mutating
   * requests that carry a session id, except sign-in. Bearer requests and requests without a
   * session cannot ride on a victim's ambient credentials.
   */
  static boolean needsCsrfProtection(HttpServletRequest request) {
    return !SAFE_METHODS.contains(request.getMethod())
        && !BearerTokenFilter.hasBearer(request)
        && request.getRequestedSessionId() != null
        && !"/api/v1/auth/login".equals(request.getRequestURI());
  }

  @Bean
  SecurityFilterChain api(
      HttpSecurity http,
      ApiTokenRepository tokens,
      AppUserRepository users,
      AuditEventRepository auditEvents,
      Clock clock,
      Problems problems,
      SecurityContextRepository contextRepository)
      throws Exception {
    SecurityProblemHandlers handlers = new SecurityProblemHandlers(problems);
    CookieCsrfTokenRepository csrfRepository = CookieCsrfTokenRepository.withHttpOnlyFalse();
    csrfRepository.setCookiePath("/");
    csrfRepository.setCookieCustomizer(cookie -> cookie.sameSite("Lax"));
    http.securityContext(context -> context.securityContextRepository(contextRepository))
        // Sessions are created only by the login endpoint (which also changes the session id);
        // bearer-token requests never get one.
        .sessionManagement(session -> session.disable())
        .csrf(csrf -> csrf
            .csrfTokenRepository(csrfRepository)
            .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
            .requireCsrfProtectionMatcher(SecurityConfiguration::needsCsrfProtection))
        .httpBasic(basic -> basic.disable())
        .formLogin(form -> form.disable())
        .logout(logout -> logout.disable())
        .requestCache(cache -> cache.disable())
        .exceptionHandling(exceptions -> exceptions
            .authenticationEntryPoint(handlers)
            .accessDeniedHandler(handlers))
        .addFilterAfter(new BearerTokenFilter(tokens, users, clock), SecurityContextHolderFilter.class)
        .addFilterBefore(new AuditFilter(auditEvents, clock), CsrfFilter.class)
        .authorizeHttpRequests(requests -> requests
            .requestMatchers(HttpMethod.POST, "/api/v1/auth/login").permitAll()
            .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus").permitAll()
            .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**").permitAll()
            .requestMatchers("/error").permitAll()
            .requestMatchers("/api/v1/auth/**", "/api/v1/tokens", "/api/v1/tokens/**").authenticated()
            .requestMatchers(HttpMethod.GET, "/api/v1/audit").hasRole("ADMIN")
            .requestMatchers(HttpMethod.GET, "/api/v1/billing", "/api/v1/billing/**").hasRole("ADMIN")
            .requestMatchers(HttpMethod.GET, "/api/**").hasRole("VIEWER")
            .requestMatchers("/api/v1/tenants", "/api/v1/tenants/**").authenticated()
            .requestMatchers(HttpMethod.POST, "/api/v1/migrations/*/approve", "/api/v1/migrations/*/reject")
                .hasRole("ADMIN")
            .requestMatchers(HttpMethod.POST, "/api/v1/migrations/estimate").hasRole("OPERATOR")
            .requestMatchers(HttpMethod.POST, "/api/v1/migrations", "/api/v1/migrations/*/cancel").hasRole("OPERATOR")
            .requestMatchers("/api/v1/policies", "/api/v1/policies/**").hasRole("ADMIN")
            .requestMatchers("/api/v1/triggers", "/api/v1/triggers/**").hasRole("ADMIN")
            .requestMatchers(HttpMethod.POST, "/api/v1/cloud-accounts/*/images/refresh").hasRole("OPERATOR")
            .requestMatchers("/api/v1/cloud-accounts", "/api/v1/cloud-accounts/**").hasRole("ADMIN")
            .requestMatchers("/api/v1/users", "/api/v1/users/**").hasRole("ADMIN")
            .requestMatchers("/api/**").denyAll()
            .anyRequest().permitAll());
    return http.build();
  }
}
