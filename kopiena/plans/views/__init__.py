"""The pages of individual support plans, one module per part of the plan's life:
``pages`` (write and read a plan, change its status), ``editing`` (its text and measures),
``deliveries`` (the delivery log), ``follow_up`` (reviews, evaluation, the next plan),
``documents`` (PDFs), ``approvals`` (plans waiting for the user) and ``catalogue`` (a
municipality's measures and approval chain)."""
