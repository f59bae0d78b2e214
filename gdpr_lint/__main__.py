from gdpr_lint.entry import main

main()
